namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// reload: the reloadable parameters (arp_*, send_arp_opts, flush_routes, run_arping,
/// check_link_status) need nothing done at once; a change of another one restarts the address.
/// </summary>
public class ReloadTests : IPaddr2Fixture
{
    [Fact]
    public void Reload_changes_nothing_now_and_the_next_monitor_uses_the_new_values()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        Net.Calls.Clear(); Announcer.Sent.Clear();

        Run("reload", ("ip", "203.0.113.10"), ("arp_bg", "0"), ("arp_count_refresh", "3")).ExitCode.Should().Be(0);
        Net.Calls.Should().BeEmpty();
        Announcer.Sent.Should().BeEmpty();

        Run("monitor", ("ip", "203.0.113.10"), ("arp_bg", "0"), ("arp_count_refresh", "3"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        Announcer.Sent.Should().Equal("arp request 203.0.113.10 on eth0 x3 every 200 ms");
    }

    [Fact]
    public void A_changed_nic_restarts_the_address_without_the_label_of_the_old_value()
    {
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0:old"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.Label.Should().Be("eth0:old");

        var r = Run("reload", ("ip", "203.0.113.10"), ("nic", "eth0"), ("arp_bg", "0"));

        r.ExitCode.Should().Be(0, r.Stderr);
        Net.Calls.Should().Contain("del 203.0.113.10/24 dev 2");
        Vip("203.0.113.10")!.Label.Should().BeNull("the label came from the old nic value only");
    }
}
