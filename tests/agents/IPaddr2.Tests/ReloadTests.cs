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

    /// <summary>
    /// Every parameter whose change needs a restart (all but ip, which is unique, and
    /// network_namespace, which PublishedAgentTests changes between real namespaces), with an old
    /// and a new value. Not here: lvs_support true to false, where the stop leaves the /32 copy on
    /// loopback and the start then refuses an address that is on another interface, as a stop
    /// and a start of their own do.
    /// </summary>
    public static TheoryData<string, string, string, string> RestartNeedingChanges() => new()
    {
        { "203.0.113.10", "nic", "eth0", "eth1" },
        { "203.0.113.10", "cidr_netmask", "24", "25" },
        { "203.0.113.10", "broadcast", "+", "-" },
        { "203.0.113.10", "iflabel", "a", "b" },
        { "203.0.113.10", "lvs_support", "false", "true" },
        { "203.0.113.10", "mac", "", "02:00:00:00:00:09" },
        { "203.0.113.10", "clusterip_hash", "sourceip", "sourceip-sourceport" },
        { "203.0.113.10", "unique_clone_address", "false", "true" },
        { "203.0.113.10", "noprefixroute", "false", "true" },
        { "2001:db8:1::10", "nodad", "true", "false" },
        { "2001:db8:1::10", "preferred_lft", "forever", "0" },
        { "2001:db8:1::10", "lvs_ipv6_addrlabel", "true", "false" },
        { "2001:db8:1::10", "lvs_ipv6_addrlabel", "false", "true" },
        { "2001:db8:1::10", "lvs_ipv6_addrlabel_value", "99", "98" },
    };

    /// <summary>
    /// A reload that needs a restart is exactly stop with the old values, then start with the
    /// new (issue 13, item 13): what the kernel holds afterwards is what a start with the new
    /// values gives on a node where the old ones never ran.
    /// </summary>
    [Theory]
    [MemberData(nameof(RestartNeedingChanges))]
    public void A_restart_needing_change_leaves_exactly_what_a_start_with_the_new_values_would(string address, string parameter, string oldValue, string newValue)
    {
        (string, string)[] common = [("ip", address), ("nic", "eth0"), ("cidr_netmask", address.Contains(':') ? "64" : "24"), ("arp_bg", "0"), ("lvs_ipv6_addrlabel", "true")];
        (string, string)[] Values(string value) => [.. common.Where(c => c.Item1 != parameter), (parameter, value)];
        var fresh = NewStack();
        Net = NewStack();
        Run("start", Values(oldValue)).ExitCode.Should().Be(0);

        var r = Run("reload", Values(newValue));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain($"parameter(s) {parameter} changed");
        var reloaded = Net;
        Net = fresh;
        Run("start", Values(newValue)).ExitCode.Should().Be(0);
        State(reloaded).Should().BeEquivalentTo(State(fresh));
        reloaded.Labels.Should().BeEquivalentTo(fresh.Labels);
    }

    static FakeNetworkStack NewStack() => new FakeNetworkStack()
        .WithLink(1, "lo").WithLink(2, "eth0", mac: "02-00-00-00-00-02").WithLink(3, "eth1", mac: "02-00-00-00-00-03")
        .WithAddress(1, "127.0.0.1/8").WithAddress(2, "203.0.113.1/24").WithRoute(2, "203.0.113.0/24", metric: 100)
        .WithAddress(2, "2001:db8:1::1/64").WithRoute(2, "2001:db8:1::/64", metric: 256, scope: 0);

    static IEnumerable<string> State(FakeNetworkStack net) =>
        net.AddressList.Select(a => $"{a.LinkIndex} {a.Address}/{a.PrefixLength} brd {a.Broadcast} label {a.Label} flags {a.Flags:x} lft {a.PreferredLifetime}");
}
