using HaCluster.Agents.IPaddr2;
using HaCluster.Network;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>ocf:hacluster:IPaddr2's decisions, against an in-memory kernel.</summary>
public class IPaddr2Tests : IDisposable
{
    readonly TempDir dir = new();
    readonly FakeAnnouncer announcer = new();
    readonly ScriptedProcessRunner processes = new();
    FakeNetworkStack net = new FakeNetworkStack()
        .WithLink(1, "lo").WithLink(2, "eth0", mac: "02-00-00-00-00-02", altNames: "enp0s3-long-name").WithLink(3, "eth1", mac: "02-00-00-00-00-03")
        .WithAddress(1, "127.0.0.1/8").WithAddress(2, "203.0.113.1/24").WithRoute(2, "203.0.113.0/24", metric: 100)
        .WithRoute(2, "0.0.0.0/0", scope: 0, gateway: "203.0.113.254").WithRoute(1, "127.0.0.0/8", scope: 254, type: 2, table: RouteTables.Local)
        .WithAddress(2, "2001:db8:1::1/64").WithRoute(2, "2001:db8:1::/64", metric: 256, scope: 0);

    public void Dispose() => dir.Dispose();

    AgentResult Run(string action, params (string, string)[] parameters)
    {
        var invoker = new AgentInvoker { Processes = processes }.With("HA_RSCTMP", dir.Path).With("OCF_RESOURCE_INSTANCE", "vip");
        foreach (var (k, v) in parameters) invoker.Param(k, v);
        return invoker.Run(new IPaddr2Agent(() => net, () => announcer), action);
    }

    AddressInfo? Vip(string a) => net.AddressList.FirstOrDefault(x => x.Address.ToString() == a);

    [Fact]
    public void Start_adds_the_address_with_the_given_nic_and_prefix_and_a_derived_broadcast()
    {
        var r = Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(0, r.Stderr);
        net.Calls.Should().Contain("add 198.51.100.10/24 dev 3 brd 198.51.100.255");
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Start_finds_nic_and_prefix_from_the_route()
    {
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        net.Calls.Should().Contain("add 203.0.113.10/24 dev 2 brd 203.0.113.255");
    }

    [Fact]
    public void IPv4_announcements_go_to_a_detached_background_sender_by_default()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_count", "3"), ("arp_interval", "50")).ExitCode.Should().Be(0);
        processes.Calls.Should().ContainSingle();
        processes.Calls[0].Arguments.Should().Equal(BackgroundAnnouncement.Marker, "-", "2", "203.0.113.10", "3", "50", "request");
        File.ReadAllText(Path.Combine(dir.Path, "hacluster-Test-vip.announcer.pid")).Should().Be("99999");
        announcer.Sent.Should().BeEmpty();
    }

    [Fact]
    public void Arp_bg_false_sends_in_the_foreground_and_send_arp_opts_A_means_replies()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "false"), ("send_arp_opts", "-A")).ExitCode.Should().Be(0);
        processes.Calls.Should().BeEmpty();
        announcer.Sent.Should().Equal("arp reply 203.0.113.10 on eth0 x5 every 200 ms");
    }

    [Fact]
    public void Start_of_a_running_address_changes_nothing()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "no"));
        net.Calls.Clear();
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "no")).ExitCode.Should().Be(0);
        net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void Iflabel_is_set_as_nic_colon_label()
    {
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"), ("iflabel", "vip")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.Label.Should().Be("eth0:vip");
    }

    [Fact]
    public void The_deprecated_nic_with_label_form_still_labels()
    {
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0:old")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.Label.Should().Be("eth0:old");
    }

    [Fact]
    public void An_altname_works_as_nic()
    {
        Run("start", ("ip", "203.0.113.10"), ("nic", "enp0s3-long-name")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.LinkIndex.Should().Be(2);
    }

    [Fact]
    public void Several_routes_to_one_prefix_on_one_interface_are_fine()
    {
        net.WithRoute(2, "203.0.113.0/24", metric: 200).WithRoute(2, "203.0.113.0/24", metric: 300);
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Routes_to_one_prefix_on_two_interfaces_need_nic()
    {
        net.WithRoute(3, "203.0.113.0/24", metric: 50);
        var r = Run("start", ("ip", "203.0.113.10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("routes to 203.0.113.10/24 exist on several interfaces (eth0, eth1); set 'nic' to choose one");
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth1")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void The_most_specific_route_wins()
    {
        net.WithRoute(3, "203.0.113.0/26");
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Vip("203.0.113.10")!.Should().Match<AddressInfo>(a => a.LinkIndex == 3 && a.PrefixLength == 26);
    }

    [Fact]
    public void Routes_through_a_gateway_and_the_default_route_do_not_count()
    {
        var r = Run("start", ("ip", "198.51.100.10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("cannot determine the interface for 198.51.100.10: no route or address on this node covers it; set 'nic' and 'cidr_netmask'");
    }

    [Fact]
    public void A_noprefixroute_address_tells_the_subnet_when_no_route_does()
    {
        net.WithAddress(3, "198.51.100.1/25", AddressFlags.NoPrefixRoute);
        Run("start", ("ip", "198.51.100.10")).ExitCode.Should().Be(0);
        Vip("198.51.100.10")!.Should().Match<AddressInfo>(a => a.LinkIndex == 3 && a.PrefixLength == 25);
    }

    [Fact]
    public void Loopback_addresses_come_from_the_local_table()
    {
        Run("start", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Vip("127.0.0.5")!.Should().Match<AddressInfo>(a => a.LinkIndex == 1 && a.PrefixLength == 8);
        processes.Calls.Should().BeEmpty("nothing is announced on loopback");
    }

    [Fact]
    public void A_down_link_is_brought_up_on_start()
    {
        net = new FakeNetworkStack().WithLink(1, "lo").WithLink(2, "eth0", up: false);
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"), ("cidr_netmask", "24")).ExitCode.Should().Be(0);
        net.Calls.Should().Contain("up 2");
    }

    [Theory]
    [InlineData("/24", "24")]
    [InlineData("/32", "32")]
    public void Prefixes_of_31_and_32_get_no_broadcast(string _, string prefix)
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", prefix)).ExitCode.Should().Be(0);
        Vip("198.51.100.10")!.Broadcast?.ToString().Should().Be(prefix == "24" ? "198.51.100.255" : null);
    }

    [Fact]
    public void Broadcast_minus_clears_the_host_bits_and_explicit_values_are_used()
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("broadcast", "-"));
        Vip("198.51.100.10")!.Broadcast!.ToString().Should().Be("198.51.100.0");
    }

    [Fact]
    public void A_dotted_quad_netmask_is_accepted()
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "255.255.255.128")).ExitCode.Should().Be(0);
        Vip("198.51.100.10")!.PrefixLength.Should().Be(25);
    }

    [Fact]
    public void Monitor_says_not_running_when_the_address_is_absent()
    {
        Run("monitor", ("ip", "203.0.113.10")).ExitCode.Should().Be(7);
        Run("monitor", ("ip", "203.0.113.10"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(7);
    }

    [Fact]
    public void Monitor_starts_no_process_and_sends_nothing_by_default()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"));
        processes.Calls.Clear(); announcer.Sent.Clear();
        Run("monitor", ("ip", "203.0.113.10"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        processes.Calls.Should().BeEmpty();
        announcer.Sent.Should().BeEmpty();
    }

    [Fact]
    public void Arp_count_refresh_announces_on_every_recurring_monitor()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"));
        announcer.Sent.Clear();
        Run("monitor", ("ip", "203.0.113.10"), ("arp_count_refresh", "2"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        announcer.Sent.Should().Equal("arp request 203.0.113.10 on eth0 x2 every 200 ms");
    }

    [Fact]
    public void A_vanished_interface_is_not_running_for_a_probe_and_a_failure_for_a_recurring_monitor()
    {
        Run("monitor", ("ip", "203.0.113.10"), ("nic", "eth9")).ExitCode.Should().Be(7);
        var r = Run("monitor", ("ip", "203.0.113.10"), ("nic", "eth9"), ("CRM_meta_interval", "10000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("interface eth9 no longer exists");
    }

    [Fact]
    public void A_missing_nic_on_start_bans_the_node_only()
    {
        var r = Run("start", ("ip", "203.0.113.10"), ("nic", "eth9"));
        r.ExitCode.Should().Be(2);
        r.ExitReason.Should().Be("interface 'eth9' (parameter 'nic') does not exist on this node");
    }

    [Fact]
    public void A_link_without_carrier_is_not_running_unless_check_link_status_is_off()
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("arp_bg", "0"));
        int i = net.LinkList.FindIndex(l => l.Name == "eth1");
        net.LinkList[i] = net.LinkList[i] with { Flags = 1 };
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(7);
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("check_link_status", "false"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Stop_removes_the_address_and_is_idempotent()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"));
        Run("stop", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Vip("203.0.113.10").Should().BeNull();
        Run("stop", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Run("stop", ("ip", "203.0.113.10"), ("nic", "eth9")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Stop_flushes_routes_and_restores_the_loopback_copy_for_lvs()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"), ("lvs_support", "true"));
        Run("stop", ("ip", "203.0.113.10"), ("flush_routes", "true"), ("lvs_support", "true")).ExitCode.Should().Be(0);
        net.Calls.Should().Contain("flush InterNetwork").And.Contain("add 203.0.113.10/32 dev 1");
        // and the next start takes it off loopback again
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"), ("lvs_support", "true")).ExitCode.Should().Be(0);
        net.AddressList.Where(a => a.Address.ToString() == "203.0.113.10").Select(a => a.LinkIndex).Should().Equal(2);
    }

    [Fact]
    public void An_address_on_another_interface_is_not_taken_over_silently()
    {
        net.WithAddress(3, "203.0.113.10/24");
        var r = Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.10 is already on interface eth1, not on eth0");
    }

    [Fact]
    public void Run_arping_refuses_an_address_someone_answers_for()
    {
        announcer.ProbeAnswer = System.Net.NetworkInformation.PhysicalAddress.Parse("02-AA-BB-CC-DD-EE");
        var r = Run("start", ("ip", "203.0.113.10"), ("run_arping", "true"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.10 is already in use on the network by 02:aa:bb:cc:dd:ee");
        Vip("203.0.113.10").Should().BeNull();
    }

    [Fact]
    public void IPv6_waits_for_duplicate_address_detection_then_advertises_in_the_foreground()
    {
        Run("start", ("ip", "2001:db8:1::10")).ExitCode.Should().Be(0);
        Vip("2001:db8:1::10")!.Should().Match<AddressInfo>(a => a.PrefixLength == 64 && !a.IsTentative);
        announcer.Sent.Should().Equal("na 2001:db8:1::10 on eth0 x5 every 200 ms");
    }

    [Fact]
    public void IPv6_duplicate_address_detection_failure_removes_the_address_and_fails()
    {
        net.DadFails = true;
        var r = Run("start", ("ip", "2001:db8:1::10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("2001:db8:1::10 is already in use on the network: duplicate address detection failed on eth0");
        Vip("2001:db8:1::10").Should().BeNull();
    }

    [Fact]
    public void IPv6_options_nodad_noprefixroute_preferred_lft_and_addrlabel()
    {
        Run("start", ("ip", "2001:db8:1::10"), ("nodad", "1"), ("noprefixroute", "1"), ("preferred_lft", "0"),
            ("lvs_ipv6_addrlabel", "true")).ExitCode.Should().Be(0);
        net.Calls.Should().Contain("add 2001:db8:1::10/64 dev 2 flags 0x202 preferred_lft 0").And.Contain("addrlabel add 2001:db8:1::10/128 99");
        Run("stop", ("ip", "2001:db8:1::10"), ("lvs_ipv6_addrlabel", "true")).ExitCode.Should().Be(0);
        net.Labels.Should().BeEmpty();
    }

    [Fact]
    public void A_link_local_IPv6_address_needs_nic()
    {
        var r = Run("start", ("ip", "fe80::10"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("parameter 'nic' is required for the link-local address fe80::10");
    }

    [Fact]
    public void Unique_clone_address_adds_the_clone_number()
    {
        Run("start", ("ip", "203.0.113.10"), ("unique_clone_address", "true"), ("CRM_meta_clone", "2"), ("CRM_meta_clone_max", "3"),
            ("CRM_meta_globally_unique", "true")).ExitCode.Should().Be(0);
        Vip("203.0.113.12").Should().NotBeNull();
    }

    [Fact]
    public void The_cluster_ip_mode_is_refused()
    {
        var r = Run("start", ("ip", "203.0.113.10"), ("CRM_meta_clone", "0"), ("CRM_meta_clone_max", "2"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("a cloned IPaddr2 needs unique_clone_address=true");
    }

    [Theory]
    [InlineData("ip", "1", "parameter 'ip' is not an IPv4 or IPv6 address: '1'")]
    [InlineData("ip", "203.0.113.256", "parameter 'ip' is not an IPv4 or IPv6 address: '203.0.113.256'")]
    [InlineData("ip", "$(touch /tmp/x)", "parameter 'ip' is not an IPv4 or IPv6 address: '$(touch /tmp/x)'")]
    [InlineData("ip", "203.0.113.10; reboot", "parameter 'ip' is not an IPv4 or IPv6 address: '203.0.113.10; reboot'")]
    [InlineData("ip", "fe80::1%eth0", "parameter 'ip' is not an IPv4 or IPv6 address: 'fe80::1%eth0'")]
    [InlineData("cidr_netmask", "33", "parameter 'cidr_netmask' is not a prefix length for IPv4 (0-32): '33'")]
    [InlineData("cidr_netmask", "255.0.255.0", "parameter 'cidr_netmask' is not a prefix length for IPv4 (0-32): '255.0.255.0'")]
    [InlineData("broadcast", "bcast", "parameter 'broadcast' is not an IPv4 address, '+' or '-': 'bcast'")]
    [InlineData("iflabel", "averyverylonglabel", "the address label eth0:averyverylonglabel is longer than the kernel's 15 characters")]
    [InlineData("nic", "../etc", "parameter 'nic' is not an interface name: '../etc'")]
    [InlineData("arp_count", "0", "parameter 'arp_count' must be between 1 and 1000, not '0'")]
    [InlineData("arp_bg", "sometimes", "parameter 'arp_bg' must be empty or a truth value: 'sometimes'")]
    [InlineData("preferred_lft", "", "parameter 'preferred_lft' must be a number of seconds or \"forever\": ''")]
    [InlineData("arp_sender", "curl", "parameter 'arp_sender' must be one of send_arp, iputils_arping, libnet_arping, ipoibarping, not 'curl'")]
    public void Bad_values_are_configuration_errors_naming_the_parameter(string name, string value, string reason)
    {
        var parameters = new List<(string, string)> { ("ip", "203.0.113.10"), ("nic", "eth0") };
        parameters.RemoveAll(p => p.Item1 == name);
        parameters.Add((name, value));
        var r = Run("start", [.. parameters]);
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be(reason);
        net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_4KiB_ip_value_gets_a_short_reason()
    {
        var r = Run("start", ("ip", new string('9', 4096)));
        r.ExitCode.Should().Be(6);
        r.ExitReason!.Length.Should().BeLessThan(200);
    }

    [Fact]
    public void A_missing_network_namespace_follows_the_probe_rule()
    {
        (string, string)[] p = [("ip", "203.0.113.10"), ("network_namespace", "hc-no-such-ns-4711")];
        Run("monitor", p).ExitCode.Should().Be(7);
        Run("stop", p).ExitCode.Should().Be(0);
        var r = Run("start", p);
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().Contain("hc-no-such-ns-4711");
    }

    [Fact]
    public void Validate_all_checks_that_the_interface_can_be_determined()
    {
        Run("validate-all", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        Run("validate-all", ("ip", "198.51.100.10")).ExitCode.Should().Be(1);
    }

    [Fact]
    public void Every_parameter_of_heartbeat_IPaddr2_is_declared()
    {
        string[] heartbeat = ["ip", "nic", "cidr_netmask", "broadcast", "iflabel", "lvs_support", "lvs_ipv6_addrlabel", "lvs_ipv6_addrlabel_value",
            "mac", "clusterip_hash", "unique_clone_address", "arp_interval", "arp_count", "arp_count_refresh", "arp_bg", "arp_sender",
            "send_arp_opts", "flush_routes", "run_arping", "nodad", "noprefixroute", "preferred_lft", "network_namespace"];
        new IPaddr2Agent().Parameters.Select(p => p.Name).Should().Contain(heartbeat);
    }

    [Fact]
    public void A_loopback_address_without_nic_is_monitored_and_stopped_where_it_was_started()
    {
        Run("start", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Run("monitor", ("ip", "127.0.0.5"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        Run("stop", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Vip("127.0.0.5").Should().BeNull();
    }

    [Theory]
    [InlineData("0.0.0.0", "the unspecified address")]
    [InlineData("255.255.255.255", "the broadcast address")]
    [InlineData("224.0.0.1", "a multicast address")]
    [InlineData("::", "the unspecified address")]
    [InlineData("::1", "the IPv6 loopback address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("::ffff:203.0.113.10", "an IPv4-mapped IPv6 address (use the IPv4 address)")]
    public void Addresses_that_cannot_serve_are_refused_before_anything_changes(string value, string what)
    {
        var r = Run("start", ("ip", value), ("nic", "eth0"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith($"parameter 'ip' is {what}");
        net.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("203.0.113.0")]
    [InlineData("203.0.113.255")]
    public void The_network_and_broadcast_address_of_the_subnet_are_refused(string value)
    {
        var r = Run("start", ("ip", value), ("nic", "eth0"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be($"parameter 'ip' {value} is the network or broadcast address of its /24 subnet");
    }

    [Fact]
    public void Leading_zeros_are_refused_rather_than_guessed()
    {
        Run("start", ("ip", "203.0.113.010")).ExitCode.Should().Be(6);
    }

    [Fact]
    public void The_same_address_with_another_prefix_is_named_as_such()
    {
        net.WithAddress(2, "203.0.113.40/25");
        var r = Run("start", ("ip", "203.0.113.40"), ("nic", "eth0"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.40 is already on eth0 with prefix /25, not /24");
    }

    [Fact]
    public void Status_prints_running_or_stopped()
    {
        Run("status", ("ip", "203.0.113.10")).Stdout.Should().Be("stopped\n");
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"));
        var r = Run("status", ("ip", "203.0.113.10"));
        r.ExitCode.Should().Be(0);
        r.Stdout.Should().Be("running\n");
    }

    [Fact]
    public void Duplicate_address_detection_cut_by_the_deadline_removes_the_address()
    {
        net.DadReads = 1000;
        var r = Run("start", ("ip", "2001:db8:1::10"), ("CRM_meta_timeout", "1000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("duplicate address detection of 2001:db8:1::10 on eth0 did not finish in time");
        Vip("2001:db8:1::10").Should().BeNull();
    }
}
