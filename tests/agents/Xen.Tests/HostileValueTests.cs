namespace HaCluster.Agents.Xen.Tests;

/// <summary>Hostile and malformed parameter values: the right code, one clear reason, nothing through a shell.</summary>
public class HostileValueTests : XenFixture
{
    /// <summary>A file that a command smuggled into a value would create.</summary>
    string Marker => Xl["pwned"];

    [Theory]
    [InlineData("$(touch {0})")]
    [InlineData("vm1; touch {0}")]
    [InlineData("`touch {0}`")]
    [InlineData("vm1 && touch {0} #")]
    [InlineData("wébsérver-ü-虚拟机")]
    public void A_name_with_shell_syntax_or_non_ascii_reaches_xl_literally(string template)
    {
        string name = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Marker);
        Run("monitor", ("name", name)).ExitCode.Should().Be(7);
        var start = Run("start", ("name", name));
        start.ExitCode.Should().Be(0, start.Stderr);
        Xl.CallArguments.Should().ContainEquivalentOf(new[] { "create", Cfg, "name=\"" + name + "\"" });
        Xl.Domains.Should().Equal(name);
        Run("stop", ("name", name), ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        File.Exists(Marker).Should().BeFalse("nothing ran through a shell");
    }

    [Fact]
    public void A_4_KiB_name_is_passed_as_one_argument()
    {
        string name = new('x', 4096);
        Run("monitor", ("name", name)).ExitCode.Should().Be(7);
        Xl.CallArguments.Single().Should().Equal("list", name);
    }

    [Theory]
    [InlineData("name", "vm1\nvm2", "parameter 'name' contains a control character (line break or similar): 'vm1\\nvm2'")]
    [InlineData("name", "-l", "parameter 'name' must not begin with '-' (xl would take it as an option): '-l'")]
    [InlineData("name", "0", "parameter 'name' must not be a number (xl would take it as a domain id): '0'")]
    [InlineData("name", "Domain-0", "parameter 'name' must not be Domain-0 (dom0 itself): 'Domain-0'")]
    [InlineData("name", "a\"b", "parameter 'name' must not contain quotes or backslashes: 'a\"b'")]
    [InlineData("xmfile", "$(touch /tmp/x)", "parameter 'xmfile' must be an absolute path: '$(touch /tmp/x)'")]
    [InlineData("xmfile", "", "required parameter 'xmfile' is empty")]
    [InlineData("shutdown_timeout", "5; reboot", "parameter 'shutdown_timeout' must be a whole number of seconds: '5; reboot'")]
    [InlineData("shutdown_timeout", "-1", "parameter 'shutdown_timeout' must be a whole number of seconds: '-1'")]
    [InlineData("reserved_Dom0_memory", "512M", "parameter 'reserved_Dom0_memory' must be a whole number of MiB: '512M'")]
    [InlineData("shutdown_acpi", "maybe", "parameter 'shutdown_acpi' must be a truth value (true/false, yes/no, 1/0, on/off), not 'maybe'")]
    public void A_bad_value_is_exit_6_with_one_reason_and_no_xl_call(string parameter, string value, string reason)
    {
        var r = Run("start", (parameter, value));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be(reason);
        r.ExitReasonCount.Should().Be(1);
        Xl.Calls.Should().BeEmpty();
    }

    [Fact]
    public void An_xmfile_path_with_shell_syntax_is_just_a_missing_file()
    {
        string path = "/tmp/$(touch " + Marker + ")/vm.cfg";
        Run("monitor", ("xmfile", path)).ExitCode.Should().Be(7);
        var start = Run("start", ("xmfile", path));
        start.ExitCode.Should().Be(5);
        start.ExitReasonCount.Should().Be(1);
        File.Exists(Marker).Should().BeFalse();
    }

    [Fact]
    public void A_device_as_xmfile_is_not_read_and_not_created_from()
    {
        // /dev/zero "exists"; reading it whole would exhaust the agent's heap.
        var r = Run("monitor", ("xmfile", "/dev/zero"));
        r.ExitCode.Should().Be(7, r.Stderr);
        Xl.Calls.Should().Equal("list rsc-vm1");
        var start = Run("start", ("xmfile", "/dev/zero"));
        start.ExitCode.Should().Be(6);
        start.ExitReason.Should().Be("the config file '/dev/zero' of domain 'rsc-vm1' cannot be used: it is a character device, not a regular file");
        Xl.Calls.Should().NotContain(c => c.StartsWith("create"));
    }

    [Fact]
    public void A_fifo_xmfile_hangs_neither_probe_nor_stop()
    {
        string fifo = Xl["fifo.cfg"];
        new HaCluster.Core.Processes.ProcessRunner().Run(new HaCluster.Core.Processes.ProcessSpec("/usr/bin/mkfifo", fifo), HaCluster.Core.Deadline.After(TimeSpan.FromSeconds(10)))
            .Succeeded.Should().BeTrue();
        Bounded(() => Run("monitor", ("xmfile", fifo))).ExitCode.Should().Be(7);
        Bounded(() => Run("stop", ("xmfile", fifo))).ExitCode.Should().Be(0);
        var start = Bounded(() => Run("start", ("xmfile", fifo)));
        start.ExitCode.Should().Be(6);
        start.ExitReason.Should().EndWith("cannot be used: it is a FIFO, not a regular file");
        Xl.Calls.Should().NotContain(c => c.StartsWith("create"));
    }

    [Fact]
    public void A_deeply_nested_xmfile_is_a_configuration_error_not_a_crash()
    {
        // Before, the parser recursed once per '[' and the agent died of SIGSEGV (in-process
        // here: the whole test run would).
        string deep = Xl.Config("deep.cfg", "name = \"vm1\"\ndisk = " + new string('[', 100_000) + "\n");
        Xl.AddDomain("rsc-vm1", 3);
        var stop = Bounded(() => Run("stop", ("xmfile", deep), ("shutdown_timeout", "0")));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Xl.Domains.Should().BeEmpty("without a usable name in the file the resource id is the domain");
        var start = Run("start", ("xmfile", deep));
        start.Stderr.Should().Contain("lists nested deeper than 32 levels");
    }

    [Fact]
    public void A_1_MB_name_in_the_xmfile_is_ignored_not_an_internal_error()
    {
        string huge = Xl.Config("huge.cfg", "name = \"" + new string('n', 1_000_000) + "\"\nmemory = 160\n");
        var stop = RunFake("stop", ("xmfile", huge));
        stop.ExitCode.Should().Be(0, stop.Stderr);
        Fake.Calls.Should().OnlyContain(c => c.Call.Length < 100);
        Fake.Calls[0].Call.Should().Be("list rsc-vm1");
        var start = RunFake("start", ("xmfile", huge));
        start.ExitCode.Should().Be(0, start.Stderr);
        start.Stderr.Should().Contain("is not usable; using the resource id rsc-vm1");
        Fake.Domains.Keys.Should().Equal("rsc-vm1");
    }

    [Fact]
    public void A_hostile_name_inside_the_file_is_ignored_for_the_resource_id()
    {
        string bad = Xl.Config("bad.cfg", "name = \"-l\"\nmemory = 160\n");
        var r = Run("start", ("xmfile", bad));
        r.ExitCode.Should().Be(0);
        Xl.Domains.Should().Equal("rsc-vm1");
        r.Stderr.Should().Contain("WARNING: the name '-l' in the xmfile is not usable; using the resource id rsc-vm1");
    }
}
