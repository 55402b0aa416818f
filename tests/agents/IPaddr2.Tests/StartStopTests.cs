using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>start adds the address (IPv6: after duplicate address detection), stop removes it; both are idempotent.</summary>
public class StartStopTests : IPaddr2Fixture
{
    [Fact]
    public void Start_adds_the_address_with_the_given_nic_and_prefix_and_a_derived_broadcast()
    {
        var r = Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(0, r.Stderr);
        Net.Calls.Should().Contain("add 198.51.100.10/24 dev 3 brd 198.51.100.255");
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
    }

    [Fact]
    public void Start_of_a_running_address_changes_nothing()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "no"));
        Net.Calls.Clear();
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "no")).ExitCode.Should().Be(0);
        Net.Calls.Should().BeEmpty();
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
    public void A_down_link_is_brought_up_on_start()
    {
        Net = new FakeNetworkStack().WithLink(1, "lo").WithLink(2, "eth0", up: false);
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"), ("cidr_netmask", "24")).ExitCode.Should().Be(0);
        Net.Calls.Should().Contain("up 2");
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
    public void An_address_on_another_interface_is_not_taken_over_silently()
    {
        Net.WithAddress(3, "203.0.113.10/24");
        var r = Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.10 is already on interface eth1, not on eth0");
    }

    [Fact]
    public void The_same_address_with_another_prefix_is_named_as_such()
    {
        Net.WithAddress(2, "203.0.113.40/25");
        var r = Run("start", ("ip", "203.0.113.40"), ("nic", "eth0"), ("cidr_netmask", "24"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.40 is already on eth0 with prefix /25, not /24");
    }

    [Fact]
    public void Run_arping_refuses_an_address_someone_answers_for()
    {
        Announcer.ProbeAnswer = System.Net.NetworkInformation.PhysicalAddress.Parse("02-AA-BB-CC-DD-EE");
        var r = Run("start", ("ip", "203.0.113.10"), ("run_arping", "true"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.10 is already in use on the network by 02:aa:bb:cc:dd:ee");
        Vip("203.0.113.10").Should().BeNull();
    }

    [Fact]
    public void Unique_clone_address_adds_the_clone_number()
    {
        Run("start", ("ip", "203.0.113.10"), ("unique_clone_address", "true"), ("CRM_meta_clone", "2"), ("CRM_meta_clone_max", "3"),
            ("CRM_meta_globally_unique", "true")).ExitCode.Should().Be(0);
        Vip("203.0.113.12").Should().NotBeNull();
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
        Net.Calls.Should().Contain("flush InterNetwork").And.Contain("add 203.0.113.10/32 dev 1");
        // and the next start takes it off loopback again
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"), ("lvs_support", "true")).ExitCode.Should().Be(0);
        Net.AddressList.Where(a => a.Address.ToString() == "203.0.113.10").Select(a => a.LinkIndex).Should().Equal(2);
    }

    [Fact]
    public void A_loopback_address_without_nic_is_monitored_and_stopped_where_it_was_started()
    {
        Run("start", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Run("monitor", ("ip", "127.0.0.5"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        Run("stop", ("ip", "127.0.0.5")).ExitCode.Should().Be(0);
        Vip("127.0.0.5").Should().BeNull();
    }

    [Fact]
    public void IPv6_waits_for_duplicate_address_detection_then_advertises_in_the_foreground()
    {
        Run("start", ("ip", "2001:db8:1::10")).ExitCode.Should().Be(0);
        Vip("2001:db8:1::10")!.Should().Match<AddressInfo>(a => a.PrefixLength == 64 && !a.IsTentative);
        Announcer.Sent.Should().Equal("na 2001:db8:1::10 on eth0 x5 every 200 ms");
        Clock.Slept.Should().BePositive("start polled the tentative address on the action's clock")
            .And.BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void IPv6_duplicate_address_detection_failure_removes_the_address_and_fails()
    {
        Net.DadFails = true;
        var r = Run("start", ("ip", "2001:db8:1::10"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("2001:db8:1::10 is already in use on the network: duplicate address detection failed on eth0");
        Vip("2001:db8:1::10").Should().BeNull();
    }

    [Fact]
    public void Duplicate_address_detection_cut_by_the_deadline_removes_the_address()
    {
        Net.DadReads = 1000;
        var r = Run("start", ("ip", "2001:db8:1::10"), ("CRM_meta_timeout", "1000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("duplicate address detection of 2001:db8:1::10 on eth0 did not finish in time");
        Vip("2001:db8:1::10").Should().BeNull();
        Clock.Slept.Should().Be(TimeSpan.FromMilliseconds(600), "1 s less the 200 ms margin is 800 ms, of which a quarter is kept for the announcements");
    }

    [Fact]
    public void Nodad_adds_an_IPv6_address_without_waiting()
    {
        Run("start", ("ip", "2001:db8:1::10"), ("nodad", "true")).ExitCode.Should().Be(0);
        Clock.Slept.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void IPv6_options_nodad_noprefixroute_preferred_lft_and_addrlabel()
    {
        Run("start", ("ip", "2001:db8:1::10"), ("nodad", "1"), ("noprefixroute", "1"), ("preferred_lft", "0"),
            ("lvs_ipv6_addrlabel", "true")).ExitCode.Should().Be(0);
        Net.Calls.Should().Contain("add 2001:db8:1::10/64 dev 2 flags 0x202 preferred_lft 0").And.Contain("addrlabel add 2001:db8:1::10/128 99");
        Run("stop", ("ip", "2001:db8:1::10"), ("lvs_ipv6_addrlabel", "true")).ExitCode.Should().Be(0);
        Net.Labels.Should().BeEmpty();
    }

    [Fact]
    public void Stop_with_an_ip_that_does_not_parse_has_nothing_to_remove()
    {
        var r = Run("stop", ("ip", "not-an-address"));
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("WARNING: stop: parameter 'ip' is not an IPv4 or IPv6 address: 'not-an-address'; nothing can be running under these values");
        Net.Calls.Should().BeEmpty();
    }
}
