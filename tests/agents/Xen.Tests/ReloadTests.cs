namespace HaCluster.Agents.Xen.Tests;

/// <summary>reload: the tuning parameters apply from the next action on; nothing is restarted.</summary>
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
}
