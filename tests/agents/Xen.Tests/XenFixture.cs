using HaCluster.Testing;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// Runs ocf:hacluster:Xen in-process through the real host, as resource rsc-vm1 with the lab's
/// PVH guest vm1 (<see cref="Cfg"/>), in one of two ways:
/// <list type="bullet">
/// <item><see cref="Run(string, (string, string)[])"/>: the real process runner and the real
/// clock against the xl stand-in (<see cref="Xl"/>, a script that replays real xl's streams and
/// exit codes), for what the agent asks of xl and makes of its answers;</item>
/// <item><see cref="RunFake"/>: an in-memory xl (<see cref="Fake"/>) and a manual clock
/// (<see cref="Clock"/>), for the budgets of the waits, measured exactly and in no time.</item>
/// </list>
/// Both answer node attributes and record utilization through <see cref="Cluster"/>.
/// </summary>
public abstract class XenFixture : IDisposable
{
    protected readonly XlStandin Xl = new();
    protected readonly XenTestCluster Cluster = new();
    protected readonly ManualClock Clock = new();
    protected readonly FakeXl Fake;
    protected readonly string Cfg;

    protected XenFixture()
    {
        Fake = new FakeXl(Clock);
        Cfg = Xl.Config("vm1.cfg", """
            # a PVH guest, as in the lab
            name = "vm1"
            type = "pvh"
            kernel = "/lab/vmlinuz"
            memory = 160
            vcpus = 1
            """);
    }

    public void Dispose() => Xl.Dispose();

    /// <summary>A recurring monitor (a monitor without an interval is a probe).</summary>
    protected static (string, string) Recurring => ("CRM_meta_interval", "10000");

    /// <summary>An invocation with the stand-in's directory as PATH (or <paramref name="path"/>) and <see cref="Cfg"/> as xmfile.</summary>
    protected AgentInvoker Invoker(string? path = null) =>
        new AgentInvoker { Cluster = Cluster }
            .With("HA_RSCTMP", Xl["rsctmp"]).With("OCF_RESOURCE_INSTANCE", "rsc-vm1").With("PATH", path ?? Xl.Bin)
            .Param("xmfile", Cfg);

    /// <summary>Runs <paramref name="action"/> against the xl stand-in; the parameters override the defaults.</summary>
    protected AgentResult Run(string action, params (string Name, string Value)[] parameters) => Run(action, Xl.Bin, parameters);

    /// <summary>As <see cref="Run(string, (string, string)[])"/>, with <paramref name="path"/> as PATH.</summary>
    protected AgentResult Run(string action, string path, params (string Name, string Value)[] parameters)
    {
        var invoker = Invoker(path);
        foreach (var (name, value) in parameters) invoker.Param(name, value);
        return invoker.Run(new XenAgent(), action);
    }

    /// <summary>Runs <paramref name="action"/> against <see cref="Fake"/> on <see cref="Clock"/>.</summary>
    protected AgentResult RunFake(string action, params (string Name, string Value)[] parameters)
    {
        var invoker = Invoker("/usr/sbin:/usr/bin");
        invoker.Processes = new ScriptedProcessRunner();
        invoker.Clock = Clock;
        foreach (var (name, value) in parameters) invoker.Param(name, value);
        return invoker.Run(new XenAgent((_, _) => Fake), action);
    }

    /// <summary>Runs an action on a thread of its own, so that a hang (a blocking read of the xmfile) fails the test instead of stopping the run.</summary>
    protected static AgentResult Bounded(Func<AgentResult> action)
    {
        var task = Task.Factory.StartNew(action, TaskCreationOptions.LongRunning);
        task.Wait(TimeSpan.FromSeconds(20)).Should().BeTrue("the action must end by itself");
        return task.Result;
    }
}
