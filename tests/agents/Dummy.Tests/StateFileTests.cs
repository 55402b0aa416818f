using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.Dummy.Tests;

/// <summary>
/// The state file is written atomically and never through a planted link, and monitor answers
/// "running" only for a state file a start wrote: a failed start leaves no state that lies.
/// </summary>
public class StateFileTests : DummyFixture
{
    string Victim => Dir["victim"];

    void PlantVictim()
    {
        File.WriteAllText(Victim, "precious\n");
        File.SetUnixFileMode(Victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
    }

    [Fact]
    public void Start_replaces_a_link_planted_at_the_state_file_instead_of_writing_through_it()
    {
        Directory.CreateDirectory(Dir["rsc"]);
        PlantVictim();
        File.CreateSymbolicLink(StateFile, Victim);

        Run("start").ExitCode.Should().Be(0);

        File.ReadAllText(Victim).Should().Be("precious\n");
        File.GetUnixFileMode(Victim).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        new FileInfo(StateFile).LinkTarget.Should().BeNull();
        File.ReadAllText(StateFile).Should().Be("dummy\n");
    }

    [Fact]
    public void A_link_at_the_state_file_is_not_running()
    {
        Directory.CreateDirectory(Dir["rsc"]);
        PlantVictim();
        File.CreateSymbolicLink(StateFile, Victim);

        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning);
    }

    [Fact]
    public void Stop_removes_a_link_at_the_state_file_and_leaves_its_target()
    {
        Directory.CreateDirectory(Dir["rsc"]);
        PlantVictim();
        File.CreateSymbolicLink(StateFile, Victim);

        Run("stop").ExitCode.Should().Be(0);

        File.Exists(Victim).Should().BeTrue();
    }

    [Fact]
    public void An_empty_state_file_touched_by_the_shell_agent_is_running()
    {
        // ocf:heartbeat:Dummy touches an empty file: after a change of provider only, the probe
        // of ours must find the resource it started.
        Directory.CreateDirectory(Dir["rsc"]);
        File.WriteAllText(StateFile, "");

        Run("monitor").Code.Should().Be(OcfExitCode.Success);
    }

    [Fact]
    public async Task A_FIFO_at_the_state_file_neither_hangs_a_monitor_nor_counts_as_running()
    {
        Directory.CreateDirectory(Dir["rsc"]);
        var mkfifo = new HaCluster.Core.Processes.ProcessRunner().Run(new HaCluster.Core.Processes.ProcessSpec("/usr/bin/mkfifo", StateFile),
            HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(10)));
        mkfifo.Succeeded.Should().BeTrue();

        var monitor = Task.Run(() => Run("monitor"));

        (await monitor.WaitAsync(TimeSpan.FromSeconds(10))).Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").ExitCode.Should().Be(0);
    }

    [Fact]
    public void A_directory_at_the_state_file_fails_start_with_a_reason_and_stop_succeeds()
    {
        Directory.CreateDirectory(StateFile);

        var start = Run("start");
        start.ExitCode.Should().NotBe(0);
        start.ExitReason.Should().Contain("a directory is in the way");
        Run("monitor").Code.Should().Be(OcfExitCode.NotRunning);
        Run("stop").ExitCode.Should().Be(0, "nothing of ours can be running");
    }

    [Fact]
    public void The_state_file_is_private()
    {
        Run("start").ExitCode.Should().Be(0);

        File.GetUnixFileMode(StateFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_reason_about_a_state_file_is_a_sentence_of_ours()
    {
        string path = Dir["nope"] + "/" + new string('a', 5000) + ".state";

        var r = Invoker().Param("state", path).Run(new DummyAgent(), "start");

        r.Code.Should().Be(OcfExitCode.ErrArgs);
        r.ExitReason.Should().StartWith("cannot write state file").And.NotContain("IO_").And.NotContain("aaaaaaaaaa" + new string('a', 300));
        r.ExitReason!.Length.Should().BeLessThanOrEqualTo(512);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_start_that_fails_on_a_full_file_system_leaves_the_resource_not_running()
    {
        using var fs = new PrivateTmpfs();
        fs.Fill();

        var start = Invoker().Param("state", fs["d1.state"]).Run(new DummyAgent(), "start");
        var monitor = Invoker().Param("state", fs["d1.state"]).Run(new DummyAgent(), "monitor");

        start.Code.Should().Be(OcfExitCode.ErrArgs);
        start.ExitReason.Should().Contain("No space left on device");
        monitor.Code.Should().Be(OcfExitCode.NotRunning, "a failed start must not leave a state file that says running");
        Directory.GetFiles(fs.Path).Should().Equal(fs["filler"]);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void A_start_on_a_read_only_file_system_fails_with_a_reason_and_stop_succeeds()
    {
        using var fs = new PrivateTmpfs();
        fs.MakeReadOnly();

        var start = Invoker().Param("state", fs["d1.state"]).Run(new DummyAgent(), "start");

        start.Code.Should().Be(OcfExitCode.ErrArgs);
        start.ExitReason.Should().Contain("Read-only file system");
        Invoker().Param("state", fs["d1.state"]).Run(new DummyAgent(), "stop").ExitCode.Should().Be(0);
    }
}
