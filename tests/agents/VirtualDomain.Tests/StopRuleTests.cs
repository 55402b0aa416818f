using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The stop rule: Pacemaker's recovery stop after a failed probe of a mistyped resource runs with
/// values no start could have accepted, and a failed stop gets the node fenced. Every parameter
/// of the agent with each hostile value: stop is 0 where nothing can be running, stops the domain
/// it can still name where one might be, never fails with 6 and never crashes.
/// </summary>
public class StopRuleTests : VirtualDomainFixture
{
    /// <summary>Stand-ins replaced per test: a FIFO, a directory and a link to a file outside HA_RSCTMP.</summary>
    const string Fifo = "@fifo", Directory_ = "@dir", Link = "@link", Touch = "@touch";

    static readonly string[] HostileValues =
        ["", "a\nb", "a\u0001b", new string('x', 100 * 1024), Touch, ";", "-x", Fifo, Directory_, Link];

    public static TheoryData<string, int> EveryParameterWithEveryHostileValue()
    {
        var data = new TheoryData<string, int>();
        foreach (var p in new VirtualDomainAgent().Parameters)
            for (int i = 0; i < HostileValues.Length; i++) data.Add(p.Name, i);
        return data;
    }

    string Outside => Dir["outside"];
    string Touched => Dir["touched"];

    string Value(int index)
    {
        Directory.CreateDirectory(Dir["d"]);
        if (!File.Exists(Outside)) File.WriteAllText(Outside, "outside");
        return HostileValues[index] switch
        {
            Fifo => MakeFifo(Dir["fifo"]),
            Directory_ => Dir["d"],
            Link => MakeLink(Dir["link"], Outside),
            Touch => $"$(touch {Touched})",
            var v => v,
        };
    }

    [Theory]
    [MemberData(nameof(EveryParameterWithEveryHostileValue))]
    public void Stop_where_nothing_runs_is_0_whatever_one_parameter_holds(string parameter, int value)
    {
        string config = File.ReadAllText(ConfigPath);
        var r = Run("stop", (parameter, Value(value)), Timeout(20000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Untouched(r, config);
    }

    [Theory]
    [MemberData(nameof(EveryParameterWithEveryHostileValue))]
    public void Stop_of_a_running_domain_stops_it_with_what_it_can_trust(string parameter, int value)
    {
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        string config = File.ReadAllText(ConfigPath);
        var r = Run("stop", (parameter, Value(value)), Timeout(20000));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        Untouched(r, config);
        // A hypervisor no start could have used names no daemon: nothing can run under it.
        if (parameter != "hypervisor" || HostileValues[value] == "")
            Libvirt.Domains.Should().BeEmpty($"{parameter} {SafeValue(value)} leaves the domain name and the daemon known");
    }

    void Untouched(AgentResult r, string config)
    {
        r.Stderr.Should().NotContain("   at ", "no stack trace");
        r.Stderr.Should().NotContain("internal error");
        Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
        File.ReadAllText(Outside).Should().Be("outside");
        File.ReadAllText(ConfigPath).Should().Be(config);
        File.Exists(Touched).Should().BeFalse("no value reaches a shell");
    }

    static string SafeValue(int index) => HostileValues[index].Length > 20 ? $"({HostileValues[index].Length} characters)" : $"'{HostileValues[index]}'";

    static string MakeLink(string path, string target)
    {
        if (!File.Exists(path)) File.CreateSymbolicLink(path, target);
        return path;
    }

    static string MakeFifo(string path)
    {
        if (File.Exists(path)) return path;
        using var p = System.Diagnostics.Process.Start("/usr/bin/mkfifo", [path]);
        p.WaitForExit();
        return path;
    }

    [Fact]
    public void Stop_with_an_unusable_uri_is_0_with_a_warning()
    {
        var r = Run("stop", ("hypervisor", "qemu+ssh://host/system"));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        r.Stderr.Should().Contain("nothing can be running");
    }

    [Fact]
    public void Stop_with_a_socket_path_over_107_bytes_is_0_with_a_warning_and_never_reaches_the_socket_layer()
    {
        var r = Run("stop", ("hypervisor", "qemu+unix:///system?socket=/" + new string('s', 120)));
        r.Code.Should().Be(OcfExitCode.Success, r.Stderr);
        r.Stderr.Should().Contain("more than the 107");
        Libvirt.OpenedUris.Should().BeEmpty();
    }
}
