using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Core.Tests;

/// <summary>
/// <see cref="AtomicFile"/>: root writes a file where others may have planted links, FIFOs or
/// directories, or where the file system is full or read-only. The target ends up holding the
/// new content or the old, never a part, and nothing outside it is written or chmod-ed.
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode VictimMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead;

    string Victim => tmp["victim"];

    void PlantVictim()
    {
        File.WriteAllText(Victim, "precious\n");
        File.SetUnixFileMode(Victim, VictimMode);
    }

    void VictimUntouched()
    {
        File.ReadAllText(Victim).Should().Be("precious\n");
        File.GetUnixFileMode(Victim).Should().Be(VictimMode);
    }

    string[] OtherFiles(params string[] expected) => Directory.GetFileSystemEntries(tmp.Path).Except(expected).ToArray();

    [Fact]
    public void Writes_the_content_with_mode_0600_whatever_the_umask()
    {
        AtomicFile.WriteText(tmp["state"], "hello\n");

        File.ReadAllText(tmp["state"]).Should().Be("hello\n");
        File.GetUnixFileMode(tmp["state"]).Should().Be(Private);
        OtherFiles(tmp["state"]).Should().BeEmpty("the temporary file was renamed");
    }

    [Fact]
    public void Replaces_an_existing_file_and_keeps_no_temporary_file()
    {
        File.WriteAllText(tmp["state"], "old");

        AtomicFile.WriteText(tmp["state"], "new");

        File.ReadAllText(tmp["state"]).Should().Be("new");
        OtherFiles(tmp["state"]).Should().BeEmpty();
    }

    [Fact]
    public void A_link_at_the_target_is_replaced_never_followed()
    {
        PlantVictim();
        File.CreateSymbolicLink(tmp["state"], Victim);

        AtomicFile.WriteText(tmp["state"], "new");

        VictimUntouched();
        new FileInfo(tmp["state"]).LinkTarget.Should().BeNull();
        File.ReadAllText(tmp["state"]).Should().Be("new");
    }

    [Fact]
    public void Links_planted_at_predictable_temporary_names_are_never_used()
    {
        PlantVictim();
        foreach (var name in new[] { "state.tmp", "state.tmp" + Environment.ProcessId, ".state.tmp", "state.new", "state~" })
            File.CreateSymbolicLink(tmp[name], Victim);

        AtomicFile.WriteText(tmp["state"], "new");

        VictimUntouched();
        File.ReadAllText(tmp["state"]).Should().Be("new");
    }

    [Fact]
    public async Task A_FIFO_at_the_target_is_replaced_without_being_opened()
    {
        new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", tmp["state"]), Deadline.After(TimeSpan.FromSeconds(5))).Succeeded.Should().BeTrue();

        var write = Task.Run(() => AtomicFile.WriteText(tmp["state"], "new"));

        await write.WaitAsync(TimeSpan.FromSeconds(5));
        File.ReadAllText(tmp["state"]).Should().Be("new");
    }

    [Fact]
    public void A_directory_at_the_target_fails_with_a_sentence_and_leaves_nothing_behind()
    {
        Directory.CreateDirectory(tmp["state"]);

        var e = FluentActions.Invoking(() => AtomicFile.WriteText(tmp["state"], "new")).Should().Throw<FileException>().Which;

        e.Problem.Should().Be(FileProblem.NotRegularFile);
        e.Message.Should().Be($"cannot write '{tmp["state"]}': a directory is in the way");
        OtherFiles(tmp["state"]).Should().BeEmpty();
    }

    [Fact]
    public void A_missing_directory_fails_as_not_found()
    {
        var e = FluentActions.Invoking(() => AtomicFile.WriteText(tmp["nope/state"], "x")).Should().Throw<FileException>().Which;

        e.Problem.Should().Be(FileProblem.NotFound);
    }

    [Fact]
    public void Mode_and_owner_can_be_those_of_the_file_replaced()
    {
        File.WriteAllText(tmp["domain.xml"], "<old/>");
        File.SetUnixFileMode(tmp["domain.xml"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        AtomicFile.WriteText(tmp["domain.xml"], "<new/>", AtomicWriteOptions.LikeExisting(tmp["domain.xml"]));

        File.GetUnixFileMode(tmp["domain.xml"]).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
    }

    [Fact]
    public void The_mode_of_a_link_target_is_not_taken_over()
    {
        PlantVictim();
        File.CreateSymbolicLink(tmp["domain.xml"], Victim);

        AtomicWriteOptions.LikeExisting(tmp["domain.xml"]).Should().Be(AtomicWriteOptions.Private);
    }

    [Fact]
    public void Remove_removes_a_link_itself_and_reports_absence()
    {
        PlantVictim();
        File.CreateSymbolicLink(tmp["state"], Victim);

        AtomicFile.Remove(tmp["state"]).Should().BeTrue();
        AtomicFile.Remove(tmp["state"]).Should().BeFalse();
        VictimUntouched();
    }

    [Fact]
    public void Remove_of_a_directory_is_a_sentence_not_a_deletion()
    {
        Directory.CreateDirectory(tmp["state"]);

        FluentActions.Invoking(() => AtomicFile.Remove(tmp["state"])).Should().Throw<FileException>()
            .Which.Problem.Should().Be(FileProblem.NotRegularFile);
        Directory.Exists(tmp["state"]).Should().BeTrue();
    }

    [Fact]
    [Trait("Requires", "root")]
    public void On_a_full_file_system_the_old_content_stays_and_no_temporary_file_is_left()
    {
        using var fs = new PrivateTmpfs();
        File.WriteAllText(fs["state"], "old\n");
        fs.Fill();

        var e = FluentActions.Invoking(() => AtomicFile.WriteText(fs["state"], new string('x', 64 * 1024))).Should().Throw<FileException>().Which;

        e.Message.Should().Be($"cannot write '{fs["state"]}': No space left on device");
        File.ReadAllText(fs["state"]).Should().Be("old\n");
        Directory.GetFiles(fs.Path).Should().BeEquivalentTo([fs["state"], fs["filler"]]);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void On_a_read_only_file_system_the_write_fails_as_denied()
    {
        using var fs = new PrivateTmpfs();
        File.WriteAllText(fs["state"], "old\n");
        fs.MakeReadOnly();

        var e = FluentActions.Invoking(() => AtomicFile.WriteText(fs["state"], "new")).Should().Throw<FileException>().Which;

        e.Problem.Should().Be(FileProblem.Denied);
        e.Message.Should().Be($"cannot write '{fs["state"]}': Read-only file system");
        File.ReadAllText(fs["state"]).Should().Be("old\n");
    }

    [Fact]
    [Trait("Requires", "root")]
    public void On_a_read_only_file_system_removing_nothing_is_no_error_and_removing_something_is_one()
    {
        using var fs = new PrivateTmpfs();
        File.WriteAllText(fs["state"], "old\n");
        fs.MakeReadOnly();

        AtomicFile.Remove(fs["missing"]).Should().BeFalse("unlink says EROFS even for a name that does not exist");
        FluentActions.Invoking(() => AtomicFile.Remove(fs["state"])).Should().Throw<FileException>()
            .Which.Message.Should().Be($"cannot remove '{fs["state"]}': Read-only file system");
    }
}
