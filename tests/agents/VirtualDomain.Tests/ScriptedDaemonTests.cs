using System.Diagnostics;
using HaCluster.Agents.VirtualDomain;
using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// Every action against a libvirtd stand-in that misbehaves after accepting the connection:
/// keep-alives or events without a pause (also with a CPU kept busy), a garbage, oversized or
/// truncated reply body, a reply after the deadline, a connection closed mid-reply. Each action
/// ends before its deadline on the real clock with the code a daemon that does not answer gets:
/// stop and probe fall back to the emulator check (none running: 0 and 7), everything else fails.
/// One class per fault (below): xunit runs test classes in parallel, so the faults that make an
/// action wait for its whole deadline (the floods, the late reply) overlap instead of adding up.
/// </summary>
public abstract class ScriptedDaemonTests : VirtualDomainFixture
{
    // The safety margin is a twentieth of it: 300 ms, time to unwind on a loaded machine.
    const int TimeoutMs = 6000;

    /// <summary>How the stand-in answers every call after the connection is open.</summary>
    protected abstract string Fault { get; }

    public static readonly (string Action, OcfExitCode Code)[] Actions =
    [
        ("stop", OcfExitCode.Success), ("probe", OcfExitCode.NotRunning), ("monitor", OcfExitCode.ErrGeneric),
        ("start", OcfExitCode.ErrGeneric), ("migrate_to", OcfExitCode.ErrGeneric), ("migrate_from", OcfExitCode.ErrGeneric),
        ("reload", OcfExitCode.ErrGeneric),
    ];

    public static TheoryData<string> EveryAction()
    {
        var data = new TheoryData<string>();
        foreach (var (action, _) in Actions) data.Add(action);
        return data;
    }

    static void Misbehave(ScriptedCall call, string fault, CancellationToken stopping)
    {
        switch (fault)
        {
            case "keep-alive flood" or "keep-alive flood on a busy CPU": call.Flood(ScriptedLibvirtd.KeepAlive()); break;
            case "event flood": call.Flood(ScriptedLibvirtd.Event()); break;
            case "garbage": call.Ok(Enumerable.Range(0, 37).Select(i => (byte)(i * 73 + 11)).ToArray()); break;
            // A string that claims 2 GiB.
            case "oversized": call.Ok(w => w.WriteUInt(0x7fffffff).WriteFixedOpaque(new byte[64])); break;
            case "truncated": call.Ok([0, 0, 0, 1, 0, 0]); break;
            case "late":
                stopping.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(TimeoutMs + 1000));
                call.Ok([0, 0, 0, 1, 0, 0, 0, 1]);
                break;
            case "closed mid-reply":
                var frame = call.ReplyFrame(new byte[64]);
                call.Send(frame.AsSpan(0, frame.Length / 2));
                call.HangUp();
                break;
        }
    }

    [Theory]
    [MemberData(nameof(EveryAction))]
    public void Every_action_ends_before_its_deadline_with_the_code_of_a_daemon_that_does_not_answer(string action)
    {
        string fault = Fault;
        ScriptedLibvirtd? daemon = null;
        // A late answer stops waiting when the stand-in shuts down.
        using var _ = daemon = new ScriptedLibvirtd(call =>
        {
            if (call.Procedure is RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectClose) call.Ok();
            else Misbehave(call, fault, daemon!.Stopping);
        });
        // The emulator check decides stop and probe: qemu's driver makes it conclusive.
        string uri = "qemu+unix:///system?socket=" + daemon.SocketPath;
        using var busy = fault.EndsWith("busy CPU", StringComparison.Ordinal) ? new BusyCpu() : null;

        if (action == "reload")
        {
            // A snapshot from a start on the in-memory daemon; the new value needs a restart
            // (the same socket, one more client-side URI parameter), so the stop and the start
            // both meet the stand-in.
            Run("start", [.. UtilizationOff, ("hypervisor", uri)]).Code.Should().Be(OcfExitCode.Success);
            Libvirt.Domains.Clear();
        }

        var invoker = new AgentInvoker { Processes = Processes, Cluster = Cluster }
            .With("HA_RSCTMP", RscTmp).With("OCF_RESOURCE_INSTANCE", "vm")
            .Param("config", ConfigPath).Param("hypervisor", action == "reload" ? uri + "&mode=direct" : uri)
            .Param("CRM_meta_timeout", TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Param("CRM_meta_migrate_target", "node2").Param("CRM_meta_migrate_source", "node1");
        foreach (var (k, v) in UtilizationOff) invoker.Param(k, v);
        if (action == "monitor") invoker.Param("CRM_meta_interval", "10000");

        var clock = Stopwatch.StartNew();
        var r = invoker.Run(new VirtualDomainAgent(LibvirtConnection.Opener, Emulators, Dir["libvirt.conf"], systemdUnitDir: null),
            action == "probe" ? "monitor" : action);
        clock.Stop();

        r.Code.Should().Be(Actions.Single(a => a.Action == action).Code, r.Stderr);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(TimeoutMs), "every action ends before its deadline");
        r.Stderr.Should().NotContain("internal error").And.NotContain("   at ");
        if (r.Code is not (OcfExitCode.Success or OcfExitCode.NotRunning)) r.ExitReasonCount.Should().Be(1, r.Stderr);
    }

    /// <summary>A thread that spins until disposed: the stand-in's flood competes with it for the CPU.</summary>
    sealed class BusyCpu : IDisposable
    {
        volatile bool stop;
        readonly Thread thread;

        public BusyCpu()
        {
            thread = new Thread(() => { while (!stop) Thread.SpinWait(1000); }) { IsBackground = true };
            thread.Start();
        }

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }
    }
}

public sealed class KeepAliveFloodTests : ScriptedDaemonTests { protected override string Fault => "keep-alive flood"; }
public sealed class EventFloodTests : ScriptedDaemonTests { protected override string Fault => "event flood"; }
public sealed class KeepAliveFloodOnABusyCpuTests : ScriptedDaemonTests { protected override string Fault => "keep-alive flood on a busy CPU"; }
public sealed class GarbageReplyTests : ScriptedDaemonTests { protected override string Fault => "garbage"; }
public sealed class OversizedReplyTests : ScriptedDaemonTests { protected override string Fault => "oversized"; }
public sealed class TruncatedReplyTests : ScriptedDaemonTests { protected override string Fault => "truncated"; }
public sealed class LateReplyTests : ScriptedDaemonTests { protected override string Fault => "late"; }
public sealed class ClosedMidReplyTests : ScriptedDaemonTests { protected override string Fault => "closed mid-reply"; }
