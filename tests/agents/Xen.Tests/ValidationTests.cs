namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// What Validate settles before every action: where xl is, which domain this resource is, and
/// whether the xmfile is there when it is needed (the probe rule for both).
/// </summary>
public class ValidationTests : XenFixture
{
    [Fact]
    public void The_name_parameter_wins_over_the_file_and_is_passed_quoted_to_xl_create()
    {
        Run("start", ("name", "web 1")).ExitCode.Should().Be(0);
        Xl.CallArguments.Should().ContainEquivalentOf(new[] { "create", Cfg, "name=\"web 1\"" });
        Xl.Domains.Should().Equal("web 1");
    }

    [Fact]
    public void Without_a_name_in_the_file_the_resource_id_is_the_domain_name()
    {
        string noName = Xl.Config("noname.cfg", "memory = 128\nkernel = \"/lab/vmlinuz\"\n");
        Run("start", ("xmfile", noName)).ExitCode.Should().Be(0);
        Xl.Domains.Should().Equal("rsc-vm1");
    }

    [Fact]
    public void A_missing_xmfile_is_not_installed_for_probe_stop_and_start()
    {
        string gone = Xl["gone.cfg"];
        Run("monitor", ("xmfile", gone)).ExitCode.Should().Be(7);
        Run("stop", ("xmfile", gone), ("shutdown_timeout", "0")).ExitCode.Should().Be(0);
        var start = Run("start", ("xmfile", gone));
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be($"config file '{gone}' for domain 'rsc-vm1' does not exist");
        Run("validate-all", ("xmfile", gone)).ExitCode.Should().Be(5);
    }

    [Fact]
    public void Without_xl_a_probe_is_7_stop_0_and_start_5()
    {
        string empty = Xl["empty-bin"];
        Directory.CreateDirectory(empty);
        Run("monitor", empty).ExitCode.Should().Be(7);
        Run("stop", empty).ExitCode.Should().Be(0);
        var start = Run("start", empty);
        start.ExitCode.Should().Be(5);
        start.ExitReason.Should().Be("xl (the Xen toolstack) is not installed: not found in PATH");
    }
}
