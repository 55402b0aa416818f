using System.Text;

namespace HaCluster.Core.Native;

/// <summary>
/// Writes to file descriptors 1 and 2 directly. The agent's output is a few lines; going through
/// System.Console would set up terminal and signal handling in every monitor for nothing.
/// Tests replace the writers to capture what an action printed.
/// </summary>
public static class StdStreams
{
    public static Action<string> Out { get; set; } = s => WriteFd(1, s);
    public static Action<string> Err { get; set; } = s => WriteFd(2, s);

    public static bool StdinIsTerminal => Libc.isatty(0) == 1;

    public static unsafe void WriteFd(int fd, string text)
    {
        if (text.Length == 0) return;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                nint n = Libc.write(fd, p + done, bytes.Length - done);
                if (n > 0) { done += n; continue; }
                if (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                return; // a closed pipe or a full disk must never fail the action
            }
        }
    }
}
