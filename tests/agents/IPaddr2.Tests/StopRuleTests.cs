using HaCluster.Testing;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// The stop rule (issue 13, item 9): a stop with values no start could have accepted is never a
/// failure (a failed stop fences the node). Where nothing can be running under the values it is
/// 0 with a warning; where the address can still be trusted, it is removed wherever it is.
/// </summary>
public class StopRuleTests : IPaddr2Fixture
{
    static readonly (string, string)[] Running = [("ip", "203.0.113.10"), ("nic", "eth0"), ("cidr_netmask", "24"), ("arp_bg", "0")];

    [Theory]
    [InlineData("224.0.0.1")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:198.51.100.10")]
    [InlineData("0.0.0.0")]
    [InlineData("ff02::1")]
    public void An_address_no_start_would_add_stops_with_0_and_a_warning(string address)
    {
        var r = Run("stop", ("ip", address), ("nic", "eth0"));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain("WARNING: stop: parameter 'ip' is ").And.Contain("nothing can be running under these values");
        r.ExitReason.Should().BeNull();
        Net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_nic_no_start_accepted_still_removes_the_address_where_it_is()
    {
        Run("start", Running).ExitCode.Should().Be(0);

        var r = Run("stop", ("ip", "203.0.113.10"), ("nic", "a b"));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().Contain("WARNING: stop: parameter 'nic' is not an interface name: 'a b'; removing 203.0.113.10 wherever it is");
        Vip("203.0.113.10").Should().BeNull();
    }

    [Fact]
    public void A_stop_of_an_address_that_is_not_there_with_a_bad_nic_is_0()
    {
        var r = Run("stop", ("ip", "203.0.113.10"), ("nic", "a b"));
        r.ExitCode.Should().Be(0, r.Stderr);
        Net.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_clone_with_unique_addresses_removes_its_own_address_despite_a_bad_value()
    {
        (string, string)[] clone = [("unique_clone_address", "true"), ("CRM_meta_clone", "2"), ("CRM_meta_clone_max", "3"), ("CRM_meta_globally_unique", "true")];
        Run("start", [.. Running, .. clone]).ExitCode.Should().Be(0);

        Run("stop", [("ip", "203.0.113.10"), ("cidr_netmask", "99"), .. clone]).ExitCode.Should().Be(0);

        Vip("203.0.113.12").Should().BeNull();
    }

    /// <summary>Values no start accepts for most parameters (and the names of files that are no parameter's business).</summary>
    public static TheoryData<string, string> EveryParameterWithEveryHostileValue()
    {
        var paths = new TempDir();
        File.WriteAllText(paths["outside"], "x");
        File.CreateSymbolicLink(paths["link"], paths["outside"]);
        Directory.CreateDirectory(paths["dir"]);
        using (var mkfifo = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [paths["fifo"]])) mkfifo.WaitForExit();
        string[] values =
        [
            "", "\n", "\u0001", new string('a', 100 * 1024), "$(touch /tmp/hc-pwned)", ";", "-x",
            "\uD800" /* an unpaired surrogate: what non-UTF-8 bytes become in a .NET string */,
            paths["fifo"], paths["dir"], paths["link"],
        ];
        var data = new TheoryData<string, string>();
        foreach (var p in new IPaddr2Agent().Parameters)
            for (int i = 0; i < values.Length; i++)
                data.Add(p.Name, values[i]);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryParameterWithEveryHostileValue))]
    public void Stop_with_any_hostile_value_of_any_parameter_is_0_and_removes_what_it_can_trust(string parameter, string value)
    {
        Run("start", Running).ExitCode.Should().Be(0);

        var stop = Running.Where(p => p.Item1 != parameter).Append((parameter, value)).ToArray();
        var r = Run("stop", stop);

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Should().NotContain("internal error");
        if (parameter is not ("ip" or "network_namespace"))
            Vip("203.0.113.10").Should().BeNull("ip is valid, so the address is this resource's whatever {0} says", parameter);
    }
}
