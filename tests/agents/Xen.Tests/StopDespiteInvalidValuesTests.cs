using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// Stop with values no start could have accepted (issue 13, item 9): Pacemaker's recovery stop
/// runs with exactly the values that failed, and a failed stop fences the node. Every parameter
/// with every hostile value: stop is 0, never an internal error nor 6; a value that names no
/// domain calls no xl at all; a bad tuning value still stops the domain the resource is.
/// </summary>
public class StopDespiteInvalidValuesTests : XenFixture
{
    const string Marker = "{marker}";

    /// <summary>The hostile values; placeholders become paths of this test's directory.</summary>
    public static readonly string[] HostileValues =
    [
        "", "vm1\nvm2", "a\u0001b", "100KiB", "$(touch {marker})", "vm1; touch {marker}", "-x",
        "{fifo}", "{directory}", "{symlink}",
    ];

    public static TheoryData<string, string> EveryParameterWithEveryValue()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in new XenAgent().Parameters)
            foreach (var v in HostileValues)
                data.Add(p.Name, v);
        return data;
    }

    string Concrete(string value)
    {
        if (value == "100KiB") return new string('x', 100 * 1024);
        if (value == "{fifo}")
        {
            string fifo = Xl["fifo"];
            if (!File.Exists(fifo))
                new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", fifo), Deadline.After(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();
            return fifo;
        }
        if (value == "{directory}") return Xl.Path;
        if (value == "{symlink}")
        {
            string link = Xl["link"];
            if (!File.Exists(link)) File.CreateSymbolicLink(link, Outside);
            return link;
        }
        return value.Replace(Marker, Xl["pwned"], StringComparison.Ordinal);
    }

    /// <summary>A file outside HA_RSCTMP that a symbolic link points to: it must stay as it is.</summary>
    string Outside
    {
        get
        {
            string path = Xl["outside.txt"];
            if (!File.Exists(path)) File.WriteAllText(path, "not a domain configuration\n");
            return path;
        }
    }

    [Theory]
    [MemberData(nameof(EveryParameterWithEveryValue))]
    public void Stop_with_a_hostile_value_is_0_and_stops_what_the_resource_can_be(string parameter, string template)
    {
        string value = Concrete(template);
        Fake.Add("vm1");

        var stop = Bounded(() => RunFake("stop", (parameter, value)));

        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.ExitReasonCount.Should().Be(0);
        stop.Stderr.Should().NotContain("internal error");
        File.Exists(Xl["pwned"]).Should().BeFalse();
        File.ReadAllText(Outside).Should().Be("not a domain configuration\n");

        bool identity = parameter is "name" or "xmfile";
        if (!identity || (parameter == "name" && value.Length == 0))
        {
            Fake.Domains.Should().NotContainKey("vm1", "the domain the resource is runs, whatever a tuning value says");
            return;
        }
        Fake.Domains.Should().ContainKey("vm1", "these values name another domain, or none");
        Fake.Calls.Should().NotContain(c => c.Call == "shutdown vm1" || c.Call == "destroy vm1");
    }

    [Theory]
    [InlineData("name", "-x")]
    [InlineData("name", "123")]
    [InlineData("name", "Domain-0")]
    [InlineData("name", "vm1\nvm2")]
    [InlineData("xmfile", "vm1.cfg")]
    [InlineData("xmfile", "")]
    public void Stop_with_a_name_or_xmfile_no_start_accepts_calls_no_xl_and_warns(string parameter, string value)
    {
        Fake.Add("vm1");
        var stop = RunFake("stop", (parameter, value));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        stop.Stderr.Should().Contain("nothing can be running under these values");
        Fake.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("shutdown_timeout", "5; reboot")]
    [InlineData("reserved_Dom0_memory", "512M")]
    [InlineData("shutdown_acpi", "maybe")]
    [InlineData("allow_mem_management", "-1")]
    [InlineData("monitor_scripts", "a\nb")]
    public void Stop_with_a_bad_tuning_value_stops_the_domain_with_the_defaults(string parameter, string value)
    {
        Fake.Add("vm1");
        var stop = RunFake("stop", (parameter, value));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Fake.Domains.Should().BeEmpty();
        Fake.Calls.Select(c => c.Call).Should().Equal("list vm1", "shutdown vm1", "list vm1");
        stop.Stderr.Should().Contain($"stop: parameter '{parameter}'").And.Contain("stopping domain vm1 with the defaults in place of the values that cannot be used");
    }

    [Fact]
    public void A_valid_shutdown_acpi_is_kept_when_another_value_is_bad()
    {
        Fake.Add("vm1");
        RunFake("stop", ("shutdown_acpi", "yes"), ("reserved_Dom0_memory", "x")).ExitCode.Should().Be(0);
        Fake.Calls.Select(c => c.Call).Should().Contain("trigger vm1 power");
    }
}
