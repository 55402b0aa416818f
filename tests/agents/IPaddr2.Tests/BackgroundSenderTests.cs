using System.Globalization;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// The background sender of arp_bg (issue 13, item 12): it stops once its address is gone, and
/// stop finds it in /proc without the pid file, but never a process that only looks like it.
/// </summary>
public class BackgroundSenderTests : IPaddr2Fixture
{
    const string UidLine = "Uid:\t0\t0\t0\t0";

    /// <summary>A process in the test's /proc: its command line, uid line, executable and state.</summary>
    void Process(int pid, string[] argv, string uid = UidLine, string exe = OwnExecutable)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(dir, "cmdline"), string.Join('\0', argv) + "\0");
        File.WriteAllText(Path.Combine(dir, "status"), $"Name:\tIPaddr2\n{uid}\nGid:\t0\t0\t0\t0\n");
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} (IPaddr2) S 1 {pid} {pid}");
        File.CreateSymbolicLink(Path.Combine(dir, "exe"), exe);
    }

    static string[] Sender(string address = "203.0.113.10", string instance = "vip") =>
        [OwnExecutable, BackgroundAnnouncement.Marker, "-", "2", address, "1000", "200", "request", instance];

    public BackgroundSenderTests()
    {
        // Our own process as the agent sees it in this /proc.
        Directory.CreateDirectory(Path.Combine(Proc, "self"));
        File.WriteAllText(Path.Combine(Proc, "self", "status"), $"Name:\tIPaddr2\n{UidLine}\n");
    }

    [Fact]
    public void Stop_ends_the_sender_of_this_instance_and_address_without_a_pid_file()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        Process(4242, Sender());

        var r = Run("stop", ("ip", "203.0.113.10"));

        r.ExitCode.Should().Be(0, r.Stderr);
        Vip("203.0.113.10").Should().BeNull();
        Signals.Should().Equal((4242, 15), (4242, 9)); // still in /proc after the TERM: killed
    }

    [Fact]
    public void Stop_ends_the_sender_when_its_pid_file_could_not_be_written()
    {
        Directory.CreateDirectory(Path.Combine(RscTmp, "hacluster-Test-vip.announcer.pid"));
        var start = Run("start", ("ip", "203.0.113.10"));
        start.ExitCode.Should().Be(0, start.Stderr);
        start.Stderr.Should().Contain("WARNING: the background sender (pid 99999) is not recorded");
        Process(99999, Sender());

        var r = Run("stop", ("ip", "203.0.113.10"));

        r.ExitCode.Should().Be(0, r.Stderr);
        Signals.Select(s => s.Pid).Should().Contain(99999);
    }

    [Fact]
    public void Processes_that_only_look_like_a_sender_are_left_alone()
    {
        Run("start", ("ip", "203.0.113.10"), ("arp_bg", "0")).ExitCode.Should().Be(0);
        Process(5001, Sender(), uid: "Uid:\t65534\t65534\t65534\t65534");
        Process(5002, Sender(), exe: "/usr/bin/python3");
        Process(5003, Sender(instance: "other-vip"));
        Process(5004, Sender(address: "203.0.113.11"));
        Process(5005, ["/bin/sleep", "1000", BackgroundAnnouncement.Marker, "vip"]);
        File.WriteAllText(Path.Combine(RscTmp, "hacluster-Test-vip.announcer.pid"), "5001");

        Run("stop", ("ip", "203.0.113.10")).ExitCode.Should().Be(0);

        Signals.Should().BeEmpty();
    }

    [Fact]
    public void The_sender_stops_before_the_next_packet_once_the_address_is_removed()
    {
        Net.WithAddress(2, "203.0.113.10/24");
        Announcer.AfterPacket = n => { if (n == 2) Net.AddressList.RemoveAll(a => a.Address.ToString() == "203.0.113.10"); };

        int rc = BackgroundAnnouncement.Run([BackgroundAnnouncement.Marker, "-", "2", "203.0.113.10", "1000", "200", "request", "vip"], Net, Announcer);

        rc.Should().Be(0);
        Announcer.Packets.Should().Be(2, "no packet claims an address that is no longer on the link");
    }

    [Fact]
    public void The_sender_sends_nothing_for_an_address_that_is_not_there()
    {
        BackgroundAnnouncement.Run([BackgroundAnnouncement.Marker, "-", "2", "2001:db8:1::10", "5", "200", "request", "vip"], Net, Announcer);
        Announcer.Packets.Should().Be(0);
    }
}
