namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>Validate and validate-all: values refused before anything changes, with a reason naming the parameter.</summary>
public class ValidationTests : IPaddr2Fixture
{
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
        Net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_label_too_long_for_any_interface_is_refused_without_nic()
    {
        // without nic the interface is found at start; a 100 KiB label was an internal error there
        var r = Run("start", ("ip", "203.0.113.10"), ("iflabel", new string('l', 100 * 1024)));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("parameter 'iflabel' is longer than the kernel's 15 characters allow");
        r.ExitReason!.Length.Should().BeLessThan(200);
        Net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_label_too_long_for_the_interface_found_is_refused_before_the_address_is_added()
    {
        var r = Run("start", ("ip", "203.0.113.10"), ("iflabel", "twelvechars1"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("the address label eth0:twelvechars1 is longer than the kernel's 15 characters");
        Vip("203.0.113.10").Should().BeNull();
    }

    [Fact]
    public void A_4KiB_ip_value_gets_a_short_reason()
    {
        var r = Run("start", ("ip", new string('9', 4096)));
        r.ExitCode.Should().Be(6);
        r.ExitReason!.Length.Should().BeLessThan(200);
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
        Net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void Leading_zeros_are_refused_rather_than_guessed()
    {
        Run("start", ("ip", "203.0.113.010")).ExitCode.Should().Be(6);
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
    public void A_link_local_IPv6_address_needs_nic()
    {
        var r = Run("start", ("ip", "fe80::10"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("parameter 'nic' is required for the link-local address fe80::10");
    }

    [Fact]
    public void The_cluster_ip_mode_is_refused()
    {
        var r = Run("start", ("ip", "203.0.113.10"), ("CRM_meta_clone", "0"), ("CRM_meta_clone_max", "2"));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("a cloned IPaddr2 needs unique_clone_address=true");
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
    public void Deprecated_and_meaningless_values_are_warned_about_and_still_used()
    {
        var r = Run("start", ("ip", "198.51.100.10"), ("nic", "eth1:lbl"), ("cidr_netmask", "255.255.255.0"), ("send_arp_opts", "-X -A"), ("arp_bg", "0"));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain("WARNING: nic eth1:lbl with a label is deprecated: use nic=eth1 and iflabel=lbl")
            .And.Contain("WARNING: cidr_netmask 255.255.255.0 is a dotted quad: use the prefix length 24")
            .And.Contain("WARNING: send_arp_opts option -X has no native meaning and is ignored")
            .And.NotContain("option -A");
        Net.Calls.Should().Contain("add 198.51.100.10/24 dev 3 brd 198.51.100.255 label eth1:lbl");
    }

    [Fact]
    public void An_iflabel_on_an_IPv6_address_is_checked_but_not_set()
    {
        Run("start", ("ip", "2001:db8:1::10"), ("iflabel", "bad label")).ExitCode.Should().Be(6);
        Run("start", ("ip", "2001:db8:1::10"), ("iflabel", "v6"), ("nodad", "1")).ExitCode.Should().Be(0);
        Vip("2001:db8:1::10")!.Label.Should().BeNull();
    }
}
