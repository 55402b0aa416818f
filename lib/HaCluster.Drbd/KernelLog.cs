using System.Runtime.InteropServices;
using System.Text;

namespace HaCluster.Drbd;

/// <summary>
/// The kernel's log buffer as dmesg reads it: klogctl(SYSLOG_ACTION_READ_ALL), one system call,
/// no process and no blocking (a read of /dev/kmsg blocks at its end). Needs CAP_SYSLOG (root).
/// </summary>
internal static partial class KernelLog
{
    const int SyslogActionReadAll = 3;
    const int SyslogActionSizeBuffer = 10;

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int klogctl(int type, byte* buffer, int length);

    /// <summary>The whole buffer, oldest line first; null when the kernel refuses.</summary>
    public static unsafe string? ReadAll()
    {
        try
        {
            int size = klogctl(SyslogActionSizeBuffer, null, 0);
            if (size <= 0) return null;
            var buffer = new byte[Math.Min(size, 64 << 20)];
            fixed (byte* p = buffer)
            {
                int n = klogctl(SyslogActionReadAll, p, buffer.Length);
                return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }
}
