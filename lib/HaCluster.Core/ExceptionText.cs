using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace HaCluster.Core;

/// <summary>
/// An exception in words of ours, for exit reasons and log lines. The agents are NativeAOT
/// binaries built with UseSystemResourceKeys: the message of an exception the runtime throws is
/// a resource key followed by its arguments ("IO_PathTooLong_Path, /a/100 KB path…",
/// "Overflow_TimeSpanTooLong"), which no operator can read and which may carry an unbounded
/// hostile value. So the message of a runtime exception is never shown: its type says what kind
/// of problem it is, and an errno, where the exception carries one, says what the system
/// reported. The messages of our own exception types (namespace HaCluster.*) are sentences we
/// wrote, and are used as they are. The full exception belongs in the debug log.
/// </summary>
public static class ExceptionText
{
    /// <summary>At most this many characters of an exception's own message are used.</summary>
    public const int MaxMessageChars = 300;

    /// <summary>One line, at most a few hundred characters, that says what went wrong.</summary>
    public static string Describe(Exception e)
    {
        if (IsOurs(e)) return SafeText.Bound(SafeText.OneLine(e.Message), MaxMessageChars);
        return e switch
        {
            FileNotFoundException => "a file does not exist",
            DirectoryNotFoundException => "a directory does not exist",
            PathTooLongException => "a path is too long",
            EndOfStreamException => "the data ended early",
            IOException io when io.HResult is > 0 and < 4096 => "an input/output error: " + Errno(io.HResult),
            IOException => "an input/output error",
            UnauthorizedAccessException => "permission denied",
            ArgumentOutOfRangeException => "a value out of range",
            ArgumentException => "an invalid value",
            OverflowException => "a number out of range",
            FormatException => "a value in the wrong format",
            NullReferenceException => "a value that is missing",
            IndexOutOfRangeException => "an index out of range",
            KeyNotFoundException => "an entry that is missing",
            InvalidCastException => "a value of the wrong type",
            NotSupportedException or NotImplementedException => "an operation that is not supported",
            ObjectDisposedException => "an object used after it was closed",
            InvalidOperationException => "an operation that is not valid in this state",
            OutOfMemoryException => "not enough memory",
            InsufficientExecutionStackException => "data nested too deeply",
            OperationCanceledException => "an operation that was cancelled",
            TimeoutException => "an operation that timed out",
            SocketException s => $"a network error ({s.SocketErrorCode})",
            Win32Exception w when w.NativeErrorCode is > 0 and < 4096 => Errno(w.NativeErrorCode),
            _ => "an unexpected error",
        };
    }

    /// <summary><see cref="Describe"/> followed by the exception's type, for internal errors.</summary>
    public static string DescribeWithType(Exception e) => $"{Describe(e)} ({e.GetType().Name})";

    /// <summary>True for exception types of this project: their messages are ours.</summary>
    public static bool IsOurs(Exception e) =>
        e.GetType().Namespace is { } ns && (ns == "HaCluster" || ns.StartsWith("HaCluster.", StringComparison.Ordinal));

    /// <summary>The system's text for an errno ("No space left on device"), from libc, not from a resource.</summary>
    static string Errno(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
