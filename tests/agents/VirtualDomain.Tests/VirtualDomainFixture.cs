using System.Globalization;
using HaCluster.Agents.VirtualDomain;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// Runs ocf:hacluster:VirtualDomain in-process through the real host against a fake libvirt
/// daemon, fake emulator processes, a scripted process runner and a recording cluster, on a
/// manual clock (so a stop that waits a minute takes none, and its waits can be measured):
/// HA_RSCTMP and the config file vm1.xml (domain vm1) in a temporary directory, instance vm,
/// hypervisor <see cref="Uri"/>.
/// </summary>
public abstract class VirtualDomainFixture : IDisposable
{
    protected const string Uri = "qemu+unix:///system?socket=/nonexistent/libvirt-sock";
    protected readonly TempDir Dir = new();
    protected readonly ManualClock Clock = new();
    protected readonly FakeLibvirt Libvirt;
    protected readonly FakeEmulators Emulators = new();
    /// <summary>Where the agent looks for emulator processes: the fake unless a test sets the real /proc.</summary>
    protected IEmulatorProcesses? EmulatorSource { get; set; }
    protected readonly ScriptedProcessRunner Processes = new();
    protected readonly RecordingCluster Cluster = new();
    /// <summary>Environment variables every run gets besides the usual ones.</summary>
    protected readonly Dictionary<string, string> ExtraEnv = [];

    /// <summary>How long the last run took on the manual clock.</summary>
    protected TimeSpan Elapsed { get; private set; }

    protected VirtualDomainFixture()
    {
        Libvirt = new FakeLibvirt(Clock);
        WriteConfig(FakeLibvirt.DomainXml("vm1"));
    }

    public void Dispose() => Dir.Dispose();

    protected string ConfigPath => Dir["vm1.xml"];
    protected string RscTmp => Dir["rsctmp"];
    protected void WriteConfig(string xml) => File.WriteAllText(ConfigPath, xml);

    AgentInvoker Invoker() =>
        new AgentInvoker { Processes = Processes, Cluster = Cluster, Clock = Clock }
            .With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "vm")
            .Param("config", ConfigPath).Param("hypervisor", Uri);

    /// <summary>Runs <paramref name="action"/>; a parameter given as null is removed (unset).</summary>
    protected AgentResult Run(string action, params (string Name, string Value)[] parameters)
    {
        var invoker = Invoker();
        foreach (var (k, v) in ExtraEnv) invoker.With(k, v);
        foreach (var (k, v) in parameters)
        {
            if (v is null) invoker.Env.Remove("OCF_RESKEY_" + k);
            else invoker.Param(k, v);
        }
        return Timed(invoker, new VirtualDomainAgent(Libvirt.Open, EmulatorSource ?? Emulators, Dir["libvirt.conf"], systemdUnitDir: null), action);
    }

    /// <summary>How many agent instances <see cref="RunAsMainDoes"/> made.</summary>
    protected int InstancesMade { get; private set; }

    /// <summary>Runs <paramref name="action"/> as Program.cs does: the host makes a fresh agent for each part of the invocation.</summary>
    protected AgentResult RunAsMainDoes(string action, params (string Name, string Value)[] parameters)
    {
        var invoker = Invoker();
        foreach (var (k, v) in ExtraEnv) invoker.With(k, v);
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        InstancesMade = 0;
        long before = Clock.GetTimestamp();
        var result = invoker.Run(() =>
        {
            InstancesMade++;
            return new VirtualDomainAgent(Libvirt.Open, EmulatorSource ?? Emulators, Dir["libvirt.conf"], systemdUnitDir: null);
        }, action);
        Elapsed = TimeSpan.FromTicks(Clock.GetTimestamp() - before);
        return result;
    }

    /// <summary>Runs <paramref name="action"/> with every connection to the fake daemon wrapped by <paramref name="wrap"/>.</summary>
    protected AgentResult RunWith(Func<ILibvirtConnection, ILibvirtConnection> wrap, string action, params (string, string)[] parameters)
    {
        var agent = new VirtualDomainAgent((uri, d) => wrap(Libvirt.Open(uri, d)), EmulatorSource ?? Emulators, Dir["libvirt.conf"], null);
        var invoker = Invoker();
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        return Timed(invoker, agent, action);
    }

    AgentResult Timed(AgentInvoker invoker, VirtualDomainAgent agent, string action)
    {
        long before = Clock.GetTimestamp();
        var result = invoker.Run(agent, action);
        Elapsed = TimeSpan.FromTicks(Clock.GetTimestamp() - before);
        return result;
    }

    protected static (string, string) Timeout(int ms) => ("CRM_meta_timeout", ms.ToString(CultureInfo.InvariantCulture));
    protected static readonly (string, string) Recurring = ("CRM_meta_interval", "10000");
    protected static readonly (string, string) NoUtilization = ("autoset_utilization_cpu", "false");
    protected static (string, string)[] UtilizationOff =>
        [("autoset_utilization_cpu", "false"), ("autoset_utilization_host_memory", "false"), ("autoset_utilization_hv_memory", "false")];

    /// <summary>The run failed with <paramref name="code"/> and one exit reason containing <paramref name="reasonPart"/>, without a stack trace.</summary>
    protected static void ShouldFail(AgentResult r, OcfExitCode code, string reasonPart)
    {
        r.Code.Should().Be(code, r.Stderr);
        r.ExitReasonCount.Should().Be(1, r.Stderr);
        r.ExitReason.Should().Contain(reasonPart);
        r.Stderr.Should().NotContain("   at ", "no stack traces");
    }
}
