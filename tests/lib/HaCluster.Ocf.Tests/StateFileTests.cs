using HaCluster.Ocf;
using HaCluster.Ocf.Cluster;
using HaCluster.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// The library's own state files under HA_RSCTMP (the parameter snapshot, the attribute cache)
/// never follow a planted link, never block on a FIFO, and survive a directory in their way, a
/// read-only and a full file system: root writes there, and whoever can write the directory must
/// not be able to make root overwrite or chmod another file.
/// </summary>
public sealed class StateFileTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    string Snapshot => dir["hacluster-Test-r1.parameters"];
    string Victim => dir["victim"];
    const UnixFileMode VictimMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    AgentInvoker Invoker(string rsc, string nic = "eth0") =>
        new AgentInvoker().With("HA_RSCTMP", rsc).Param("config", "/etc/x").Param("nic", nic).Param("secret", "s3cret");

    void PlantVictim()
    {
        File.WriteAllText(Victim, "precious\n");
        File.SetUnixFileMode(Victim, VictimMode);
    }

    void VictimUntouched()
    {
        File.ReadAllText(Victim).Should().Be("precious\n");
        File.GetUnixFileMode(Victim).Should().Be(VictimMode, "nothing may be chmod-ed through a link");
    }

    [Fact]
    public void A_link_planted_at_the_old_fixed_temporary_name_of_the_snapshot_is_not_followed()
    {
        PlantVictim();
        File.CreateSymbolicLink(Snapshot + ".tmp" + Environment.ProcessId, Victim);

        Invoker(dir.Path).Run(new SpecAgent(), "start").ExitCode.Should().Be(0);

        VictimUntouched();
        File.ReadAllText(Snapshot).Should().Contain("nic");
    }

    [Fact]
    public void A_link_planted_at_the_snapshot_itself_is_replaced_not_followed()
    {
        PlantVictim();
        File.CreateSymbolicLink(Snapshot, Victim);

        Invoker(dir.Path).Run(new SpecAgent(), "start").ExitCode.Should().Be(0);

        VictimUntouched();
        new FileInfo(Snapshot).LinkTarget.Should().BeNull("the link was replaced by the snapshot");
        File.GetUnixFileMode(Snapshot).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_link_at_the_snapshot_is_not_read_as_the_old_values()
    {
        File.WriteAllText(Victim, "nic\t=\t" + Convert.ToBase64String("eth9"u8.ToArray()) + "\n");
        File.CreateSymbolicLink(Snapshot, Victim);
        var agent = new SpecAgent();

        Invoker(dir.Path, nic: "eth1").Run(agent, "reload").ExitCode.Should().Be(0);

        agent.Ran.Should().Equal("validate", "reload");
    }

    [Fact]
    public async Task A_FIFO_at_the_snapshot_does_not_hang_a_reload()
    {
        MakeFifo(Snapshot);
        var agent = new SpecAgent();

        var run = Task.Run(() => Invoker(dir.Path).Run(agent, "reload"));

        (await run.WaitAsync(TimeSpan.FromSeconds(10))).ExitCode.Should().Be(0, "a FIFO is not opened for reading in blocking mode");
    }

    [Fact]
    public void A_directory_at_the_snapshot_costs_only_a_warning()
    {
        Directory.CreateDirectory(Snapshot);

        var r = Invoker(dir.Path).Run(new SpecAgent(), "start");

        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("WARNING: cannot record the parameters");
        Directory.GetFiles(dir.Path).Should().BeEmpty("no temporary file is left behind");
    }

    [Fact]
    public void A_link_planted_at_the_old_temporary_name_of_the_attribute_cache_is_not_followed()
    {
        PlantVictim();
        string cache = dir["hacluster-VirtualDomain-vm1.attributes"];
        File.CreateSymbolicLink(cache + ".tmp" + Environment.ProcessId, Victim);
        var attributes = new CrmAttributes(
            OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESOURCE_INSTANCE"] = "vm1" }, "/x/VirtualDomain"),
            new ScriptedProcessRunner(), HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(10)), NullLogger.Instance,
            new AttributeCache(cache, () => "1:2:"));

        attributes.SetUtilization("cpu", "2").Succeeded.Should().BeTrue();

        VictimUntouched();
        File.ReadAllText(cache).Should().Contain("utilization:cpu\t2");
        File.GetUnixFileMode(cache).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task A_FIFO_at_the_attribute_cache_does_not_hang_a_write()
    {
        string cache = dir["hacluster-VirtualDomain-vm1.attributes"];
        MakeFifo(cache);
        var runner = new ScriptedProcessRunner();
        var attributes = new CrmAttributes(
            OcfEnvironment.FromDictionary(new Dictionary<string, string> { ["OCF_RESOURCE_INSTANCE"] = "vm1" }, "/x/VirtualDomain"),
            runner, HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(10)), NullLogger.Instance,
            new AttributeCache(cache, () => "1:2:"));

        var write = Task.Run(() => attributes.SetUtilization("cpu", "2"));

        (await write.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();
        runner.Calls.Should().ContainSingle();
    }

    [Fact]
    [Trait("Requires", "root")]
    public void On_a_full_file_system_the_snapshot_is_not_saved_and_nothing_is_left_half_written()
    {
        using var fs = new PrivateTmpfs();
        fs.Fill();

        var r = Invoker(fs.Path).Run(new SpecAgent(), "start");

        r.ExitCode.Should().Be(0, "the snapshot is an optimisation of reload, not part of start");
        r.Stderr.Should().Contain("WARNING: cannot record the parameters");
        Directory.GetFiles(fs.Path).Should().Equal(fs["filler"]);
    }

    [Fact]
    [Trait("Requires", "root")]
    public void On_a_read_only_file_system_start_and_stop_still_succeed()
    {
        using var fs = new PrivateTmpfs();
        fs.MakeReadOnly();

        Invoker(fs.Path).Run(new SpecAgent(), "start").ExitCode.Should().Be(0);
        Invoker(fs.Path).Run(new SpecAgent(), "stop").ExitCode.Should().Be(0);
    }

    static void MakeFifo(string path)
    {
        var r = new HaCluster.Core.Processes.ProcessRunner().Run(new HaCluster.Core.Processes.ProcessSpec("/usr/bin/mkfifo", path),
            HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(10)));
        r.Succeeded.Should().BeTrue(r.Describe());
    }
}
