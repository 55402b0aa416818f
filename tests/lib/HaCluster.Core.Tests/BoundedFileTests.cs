using System.Diagnostics;
using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary>
/// <see cref="BoundedFile"/>: the one way to read a file an agent did not write itself. Nothing
/// at the path may hang the action or exhaust it: not a FIFO, a directory, a device, a huge file,
/// nor a file system that stopped answering.
/// </summary>
public sealed class BoundedFileTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static Deadline Soon => Deadline.After(TimeSpan.FromSeconds(5));

    static FileException Fails(Action read) => read.Should().Throw<FileException>().Which;

    [Fact]
    public void A_regular_file_is_read_whole()
    {
        File.WriteAllText(tmp["a.conf"], "name=vm1\n");

        BoundedFile.ReadAllText(tmp["a.conf"], Soon).Should().Be("name=vm1\n");
        BoundedFile.ReadAllBytes(tmp["a.conf"], Soon, mayBlock: false).Should().Equal("name=vm1\n"u8.ToArray());
    }

    [Fact]
    public void An_empty_file_is_empty()
    {
        File.WriteAllText(tmp["empty"], "");

        BoundedFile.ReadAllText(tmp["empty"], Soon).Should().BeEmpty();
    }

    [Fact]
    public void A_FIFO_is_refused_at_once_without_waiting_for_a_writer()
    {
        new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", tmp["fifo"]), Soon).Succeeded.Should().BeTrue();
        var sw = Stopwatch.StartNew();

        var e = Fails(() => BoundedFile.ReadAllText(tmp["fifo"], Soon, mayBlock: false));

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        e.Problem.Should().Be(FileProblem.NotRegularFile);
        e.Message.Should().Be($"'{tmp["fifo"]}' is a FIFO, not a regular file");
    }

    [Fact]
    public void A_directory_is_refused_with_a_clear_sentence()
    {
        var e = Fails(() => BoundedFile.ReadAllText(tmp.Path, Soon));

        e.Problem.Should().Be(FileProblem.NotRegularFile);
        e.Message.Should().EndWith("is a directory, not a regular file");
    }

    [Fact]
    public void Dev_zero_is_refused_instead_of_read_forever()
    {
        var e = Fails(() => BoundedFile.ReadAllBytes("/dev/zero", Soon));

        e.Problem.Should().Be(FileProblem.NotRegularFile);
        e.Message.Should().Be("'/dev/zero' is a character device, not a regular file");
    }

    [Fact]
    public void A_file_over_the_bound_is_refused_without_being_read()
    {
        using (var f = new FileStream(tmp["huge"], FileMode.Create)) f.SetLength(4L << 30); // sparse: 4 GiB
        var sw = Stopwatch.StartNew();

        var e = Fails(() => BoundedFile.ReadAllBytes(tmp["huge"], Soon, maxBytes: 1 << 20));

        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        e.Problem.Should().Be(FileProblem.TooLarge);
        e.Message.Should().EndWith("is larger than 1048576 bytes");
    }

    [Fact]
    public void A_file_exactly_at_the_bound_is_read()
    {
        File.WriteAllBytes(tmp["exact"], new byte[100]);

        BoundedFile.ReadAllBytes(tmp["exact"], Soon, maxBytes: 100).Should().HaveCount(100);
        Fails(() => BoundedFile.ReadAllBytes(tmp["exact"], Soon, maxBytes: 99)).Problem.Should().Be(FileProblem.TooLarge);
    }

    [Fact]
    public void A_proc_file_that_claims_size_0_is_read_to_its_end()
    {
        BoundedFile.ReadAllText("/proc/self/status", Soon, mayBlock: false).Should().Contain("Pid:");
    }

    [Fact]
    public void A_missing_file_is_NotFound_and_ReadAllTextIfExists_gives_null()
    {
        Fails(() => BoundedFile.ReadAllText(tmp["missing"], Soon)).Problem.Should().Be(FileProblem.NotFound);
        BoundedFile.ReadAllTextIfExists(tmp["missing"], Soon).Should().BeNull();
    }

    [Fact]
    public void A_symbolic_link_is_followed_unless_the_caller_says_otherwise()
    {
        File.WriteAllText(tmp["target"], "x");
        File.CreateSymbolicLink(tmp["link"], tmp["target"]);

        BoundedFile.ReadAllText(tmp["link"], Soon).Should().Be("x");
        var e = Fails(() => BoundedFile.ReadAllText(tmp["link"], Soon, followSymlinks: false));
        e.Problem.Should().Be(FileProblem.SymbolicLink);
        e.Message.Should().Be($"'{tmp["link"]}' is a symbolic link, which is not followed here");
    }

    [Fact]
    public void A_hostile_path_is_quoted_and_bounded_in_the_message()
    {
        string path = tmp["x\nocf-exit-reason:y" + new string('a', 5000)];

        var e = Fails(() => BoundedFile.ReadAllText(path, Soon));

        e.Message.Should().NotContain("\n");
        e.Message.Length.Should().BeLessThan(300);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_file_root_may_not_read_follows_the_rules_too()
    {
        // As root every permission check passes; what remains is the type and size checks.
        File.WriteAllText(tmp["secret"], "s");
        File.SetUnixFileMode(tmp["secret"], UnixFileMode.None);

        BoundedFile.ReadAllText(tmp["secret"], Soon).Should().Be("s");
    }
}
