using System.Net.Sockets;
using System.Text;
using HaCluster.Core.Native;

namespace HaCluster.Ocf.Logging;

/// <summary>The real destinations: fd 2, the syslog socket /dev/log, and appended files.</summary>
public sealed class OcfLogSinks : IOcfLogSinks
{
    public static readonly OcfLogSinks System = new("/dev/log");

    readonly string syslogPath;
    Socket? syslog;
    bool syslogUnavailable;

    public OcfLogSinks(string syslogPath) => this.syslogPath = syslogPath;

    public void Stderr(string text) => StdStreams.Err(text);

    /// <summary>
    /// Sends one RFC 3164 datagram, as logger(1) does. Without a listening syslog daemon this costs
    /// one stat; a full socket buffer drops the line instead of blocking the action.
    /// </summary>
    public void Syslog(int facility, SyslogSeverity severity, string tag, string message)
    {
        if (syslogUnavailable) return;
        try
        {
            if (syslog is null)
            {
                if (!File.Exists(syslogPath)) { syslogUnavailable = true; return; }
                var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
                s.Connect(new UnixDomainSocketEndPoint(syslogPath));
                syslog = s;
            }
            string stamp = StrfTime.Format("%b %e %T", DateTime.Now);
            byte[] datagram = Encoding.UTF8.GetBytes($"<{facility + (int)severity}>{stamp} {tag}: {message}");
            syslog.Send(datagram, SocketFlags.None);
        }
        catch (SocketException)
        {
            // Nobody listening, a stream socket, or a full buffer: syslog is best effort, like logger's.
            syslogUnavailable = syslog is null;
        }
        catch (IOException) { syslogUnavailable = true; }
        catch (UnauthorizedAccessException) { syslogUnavailable = true; }
    }

    public void AppendFile(string path, string text)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            f.Write(Encoding.UTF8.GetBytes(text));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
