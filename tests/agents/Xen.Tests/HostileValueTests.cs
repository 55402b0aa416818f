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
    public void An_endless_xmfile_is_not_read_to_the_end()
    {
        // /dev/zero "exists"; reading it whole would exhaust the agent's 128 MiB heap.
        var r = Run("monitor", ("xmfile", "/dev/zero"));
        r.ExitCode.Should().Be(7, r.Stderr);
        Xl.Calls.Should().Equal("list rsc-vm1");
        // The stand-in xl reads it forever too: the start deadline ends that.
        var start = Run("start", ("xmfile", "/dev/zero"), ("CRM_meta_timeout", "3000"));
        start.Stderr.Should().Contain("larger than 1024 KiB, not a domain configuration");
        start.ExitCode.Should().Be(1);
        start.ExitReason.Should().StartWith("xl create '/dev/zero' for domain 'rsc-vm1' did not finish within");
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
