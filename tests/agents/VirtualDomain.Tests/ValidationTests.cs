using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// Validation and hostile values: configuration errors name the parameter, nothing reaches a shell,
/// odd names are taken literally.
/// </summary>
public class ValidationTests : VirtualDomainFixture
{
    [Fact]
    public void Force_stop_with_snapshot_is_a_configuration_error()
        => ShouldFail(Run("validate-all", ("force_stop", "true"), ("snapshot", Dir.Path)), OcfExitCode.ErrConfigured, "'force_stop' and 'snapshot'");

    [Fact]
    public void Stateless_without_backingfile_is_a_configuration_error()
        => ShouldFail(Run("validate-all", ("stateless", "1")), OcfExitCode.ErrConfigured, "backing file");

    [Theory]
    [InlineData("migration_speed", "fast", "whole number")]
    [InlineData("migration_downtime", "-5", "at least 0")]
    [InlineData("migrateport", "70000", "between 1 and 65535")]
    [InlineData("shutdown_mode", "acpi,reboot", "'reboot'")]
    [InlineData("migration_transport", "ssh;rm", "letters, digits")]
    [InlineData("migration_network_suffix", "-mig/x", "letters, digits")]
    [InlineData("remoteuri", "qemu+ssh://%n/system; reboot", "no white space")]
    [InlineData("migrateuri", "tcp://%n:49152 --x", "no white space")]
    public void Malformed_values_are_configuration_errors_naming_the_parameter(string name, string value, string why)
    {
        var r = Run("validate-all", (name, value));
        ShouldFail(r, OcfExitCode.ErrConfigured, why);
        r.ExitReason.Should().Contain(name);
    }

    [Fact]
    public void An_unknown_migrate_option_fails_validate_all_naming_it_but_not_the_monitor()
    {
        Libvirt.Add("vm1");
        ShouldFail(Run("validate-all", ("migrate_options", "--live --frobnicate")), OcfExitCode.ErrConfigured, "'--frobnicate'");
        Run("monitor", ("migrate_options", "--live --frobnicate"), Recurring).Code.Should().Be(OcfExitCode.Success);
    }

    [Theory]
    [InlineData("$(touch /tmp/hacluster-vd-pwned)")]
    [InlineData("qemu:///system; touch /tmp/hacluster-vd-pwned")]
    [InlineData("qemu+ssh://root@203.0.113.7/system")]
    [InlineData("`id`")]
    public void A_hypervisor_uri_this_agent_cannot_open_is_refused_without_running_anything(string value)
    {
        var r = Run("start", ("hypervisor", value));
        ShouldFail(r, OcfExitCode.ErrConfigured, "hypervisor URI");
        Processes.Calls.Should().BeEmpty();
        Libvirt.OpenedUris.Should().BeEmpty();
        File.Exists("/tmp/hacluster-vd-pwned").Should().BeFalse();
    }

    [Fact]
    public void Control_characters_in_a_parameter_are_refused()
    {
        var r = Run("validate-all", ("migrate_options", "--live\n--tunnelled"));
        ShouldFail(r, OcfExitCode.ErrConfigured, "migrate_options");
        r.ExitReason.Should().NotContain("\n");
    }

    [Fact]
    public void A_4_KiB_config_path_is_not_installed_with_a_short_reason()
    {
        string path = "/" + new string('a', 4096);
        var r = Run("start", ("config", path));
        ShouldFail(r, OcfExitCode.ErrInstalled, "configuration file");
        r.ExitReason!.Length.Should().BeLessThan(600);
    }

    [Fact]
    public void Hostile_monitor_scripts_run_as_literal_argument_arrays_never_through_a_shell()
    {
        Libvirt.Add("vm1");
        Processes.Answer = spec => ScriptedProcessRunner.Exit(127, "not found");
        var r = Run("monitor", ("monitor_scripts", "$(touch /tmp/hacluster-vd-pwned) ;reboot"), Recurring);
        ShouldFail(r, OcfExitCode.ErrGeneric, "monitor command '$(touch'");
        Processes.Calls.Should().ContainSingle("the first failing script ends the monitor");
        Processes.Calls[0].Path.Should().EndWith("/$(touch");
        Processes.Calls[0].Arguments.Should().BeEmpty();
        Processes.Calls.Should().NotContain(c => c.Path.EndsWith("/sh", StringComparison.Ordinal) || c.Path.EndsWith("/bash", StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_ascii_domain_name_works()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm-ünïcode-名前"));
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Domains.Keys.Should().Equal("vm-ünïcode-名前");
        Run("monitor", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
    }

    [Fact]
    public void A_domain_name_with_shell_characters_is_used_literally()
    {
        WriteConfig(FakeLibvirt.DomainXml("vm; rm -rf $HOME `id`"));
        Run("start", UtilizationOff).Code.Should().Be(OcfExitCode.Success);
        Libvirt.Domains.Keys.Should().Equal("vm; rm -rf $HOME `id`");
        Run("stop", ("snapshot", Dir.Path)).Code.Should().Be(OcfExitCode.Success);
        File.Exists(Path.Combine(Dir.Path, "vm; rm -rf $HOME `id`.state")).Should().BeTrue();
        Processes.Calls.Should().BeEmpty();
    }
}
