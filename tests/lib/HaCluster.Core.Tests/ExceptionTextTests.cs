using System.ComponentModel;
using System.Net.Sockets;
using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;

namespace HaCluster.Core.Tests;

/// <summary>
/// <see cref="ExceptionText"/>: under UseSystemResourceKeys a runtime message is a resource key
/// ("IO_PathTooLong_Path, …"), so it is never used; our own exceptions' messages are.
/// </summary>
public sealed class ExceptionTextTests
{
    public static TheoryData<Exception, string> Runtime => new()
    {
        { new FileNotFoundException("IO_FileNotFound_FileName, /x"), "a file does not exist" },
        { new PathTooLongException("IO_PathTooLong_Path, /aaaa"), "a path is too long" },
        { new IOException("IO_x", 28), "an input/output error: No space left on device" },
        { new IOException("IO_x"), "an input/output error" },
        { new UnauthorizedAccessException("UnauthorizedAccess_IODenied_Path"), "permission denied" },
        { new ArgumentNullException("p", "ArgumentNull_Generic"), "an invalid value" },
        { new OverflowException("Overflow_TimeSpanTooLong"), "a number out of range" },
        { new ObjectDisposedException("x"), "an object used after it was closed" },
        { new SocketException((int)SocketError.ConnectionRefused), "a network error (ConnectionRefused)" },
        { new Win32Exception(2), "No such file or directory" },
        { new AggregateException(), "an unexpected error" },
    };

    [Theory]
    [MemberData(nameof(Runtime))]
    public void A_runtime_exception_is_described_by_its_type_and_errno_never_its_message(Exception e, string expected)
    {
        ExceptionText.Describe(e).Should().Be(expected);
    }

    [Fact]
    public void The_message_of_our_own_exception_is_used_on_one_bounded_line()
    {
        var ours = new ProgramNotInstalledException("/usr/sbin/x\n" + new string('y', 1000));

        string text = ExceptionText.Describe(ours);

        text.Should().StartWith("/usr/sbin/x y").And.EndWith("…");
        text.Length.Should().BeLessThanOrEqualTo(ExceptionText.MaxMessageChars);
        ExceptionText.Describe(new FileException(FileProblem.TooLarge, "/a", "'/a' is larger than 5 bytes")).Should().Be("'/a' is larger than 5 bytes");
    }

    [Fact]
    public void With_type_names_the_type_for_bug_reports()
    {
        ExceptionText.DescribeWithType(new FormatException("Format_BadBase64Char")).Should().Be("a value in the wrong format (FormatException)");
    }
}
