namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>monitor and status: running while the address is on its interface and, with check_link_status, the link has carrier.</summary>
public class StatusTests : IPaddr2Fixture
{
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
        Processes.Calls.Clear(); Announcer.Sent.Clear();
        Run("monitor", ("ip", "203.0.113.10"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        Processes.Calls.Should().BeEmpty();
        Announcer.Sent.Should().BeEmpty();
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
    public void A_link_without_carrier_is_not_running_unless_check_link_status_is_off()
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("arp_bg", "0"));
        int i = Net.LinkList.FindIndex(l => l.Name == "eth1");
        Net.LinkList[i] = Net.LinkList[i] with { Flags = 1 };
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(7);
        Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("check_link_status", "false"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
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
    public void An_address_without_the_configured_label_is_a_failure_with_a_reason()
    {
        Run("start", ("ip", "203.0.113.10"), ("nic", "eth0"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        var r = Run("monitor", ("ip", "203.0.113.10"), ("nic", "eth0"), ("iflabel", "vip"), ("CRM_meta_interval", "10000"));
        r.ExitCode.Should().Be(1);
        r.ExitReason.Should().Be("203.0.113.10 is on eth0 with label '' instead of eth0:vip");
    }

    [Fact]
    public void A_link_down_is_logged_as_the_reason_for_not_running()
    {
        Run("start", ("ip", "198.51.100.10"), ("nic", "eth1"), ("cidr_netmask", "24"), ("arp_bg", "0"));
        int i = Net.LinkList.FindIndex(l => l.Name == "eth1");
        Net.LinkList[i] = Net.LinkList[i] with { Flags = 0 };
        var r = Run("monitor", ("ip", "198.51.100.10"), ("nic", "eth1"), ("CRM_meta_interval", "10000"));
        r.ExitCode.Should().Be(7);
        r.Stderr.Should().Contain("WARNING: eth1 is down or has no carrier: reporting 198.51.100.10 as not running");
    }
}
