namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>Gratuitous ARP and unsolicited NA: from a detached sender (arp_bg) or in the foreground, on start and on monitor.</summary>
public class AnnouncementTests : IPaddr2Fixture
{
    [Fact]
    public void IPv4_announcements_go_to_a_detached_background_sender_by_default()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_count", "3"), ("arp_interval", "50")).ExitCode.Should().Be(0);
        Processes.Calls.Should().ContainSingle();
        Processes.Calls[0].Arguments.Should().Equal(BackgroundAnnouncement.Marker, "-", "2", "203.0.113.10", "3", "50", "request", "vip");
        File.ReadAllText(Path.Combine(Dir.Path, "hacluster-Test-vip.announcer.pid")).Should().Be("99999");
        Announcer.Sent.Should().BeEmpty();
    }

    [Fact]
    public void Arp_bg_false_sends_in_the_foreground_and_send_arp_opts_A_means_replies()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "false"), ("send_arp_opts", "-A")).ExitCode.Should().Be(0);
        Processes.Calls.Should().BeEmpty();
        Announcer.Sent.Should().Equal("arp reply 203.0.113.10 on eth0 x5 every 200 ms");
    }

    [Fact]
    public void Arp_count_refresh_announces_on_every_recurring_monitor()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0"));
        Announcer.Sent.Clear();
        Run("monitor", ("ip", "203.0.113.10"), ("arp_count_refresh", "2"), ("CRM_meta_interval", "10000")).ExitCode.Should().Be(0);
        Announcer.Sent.Should().Equal("arp request 203.0.113.10 on eth0 x2 every 200 ms");
    }

    [Fact]
    public void Stop_forgets_the_background_sender()
    {
        Run("start", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        string pidFile = Path.Combine(Dir.Path, "hacluster-Test-vip.announcer.pid");
        File.Exists(pidFile).Should().BeTrue();

        Run("stop", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);
        File.Exists(pidFile).Should().BeFalse();
    }

    [Fact]
    public void Nothing_is_announced_on_a_link_without_a_hardware_address()
    {
        Net = new FakeNetworkStack().WithLink(1, "lo").WithLink(2, "tun0", mac: "");
        Run("start", ("ip", "203.0.113.10"), ("nic", "tun0"), ("cidr_netmask", "24"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        Announcer.Sent.Should().BeEmpty();
        Processes.Calls.Should().BeEmpty();
    }
}
