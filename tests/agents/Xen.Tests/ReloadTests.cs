namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// reload: the tuning parameters apply from the next action on and nothing is restarted (a
/// change of xmfile or name, the unique parameters, is a restart Pacemaker does itself).
/// </summary>
public class ReloadTests : XenFixture
{
    [Fact]
    public void A_reload_of_tuning_parameters_calls_no_xl_and_keeps_the_domain()
    {
        Run("start").ExitCode.Should().Be(0);
        Xl.ClearCalls();

        var r = Invoker().With("HA_DEBUGLOG", Xl["debug.log"]).With("HA_debug", "1")
            .Param("shutdown_timeout", "5").Param("autoset_utilization_cpu", "true")
            .Run(new XenAgent(), "reload");

        r.ExitCode.Should().Be(0, r.Stderr);
        Xl.Calls.Should().BeEmpty();
        Xl.Domains.Should().Equal("vm1");
        r.LogLines.Should().ContainSingle(l => l.EndsWith("DEBUG: reloaded: the new parameter values apply from the next action on\n", StringComparison.Ordinal));
    }

    [Fact]
    public void No_parameter_change_makes_reload_restart()
    {
        // Pacemaker restarts (stop with the old values, start with the new) for a change of a
        // unique parameter itself; the host restarts inside reload only for parameters that are
        // neither unique nor reloadable. Xen has none: a reload never stops the domain.
        new XenAgent().Parameters.Where(p => !p.Unique && !p.Reloadable).Should().BeEmpty();
        new XenAgent().Parameters.Where(p => p.Unique).Select(p => p.Name).Should().Equal("xmfile", "name");
    }

    [Fact]
    public void A_reload_to_a_bad_value_fails_and_the_stop_that_follows_still_stops_the_domain()
    {
        Run("start").ExitCode.Should().Be(0);

        var reload = Invoker().Param("shutdown_timeout", "soon").Run(() => new XenAgent(), "reload");
        reload.ExitCode.Should().Be(6);
        Xl.Domains.Should().Equal("vm1");

        // Pacemaker's recovery stop runs with the values that failed.
        var stop = Run("stop", ("shutdown_timeout", "soon"));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Xl.Domains.Should().BeEmpty();
    }
}
