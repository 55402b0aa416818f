using HaCluster.Core;
using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>Validation as ocf:linbit:drbd does it, with the library's probe rule.</summary>
public class ValidationTests : DrbdFixture
{
    public static TheoryData<string> HostileNames => new()
    {
        "$(touch /tmp/hacluster-drbd-x)", "r0;reboot", "r0 r1", "`id`", "r0|cat", "r0&", "r0>x", "r0\"", "r0'", "r0\\",
        "r0é", "résumé", "r\u200b0", "-d", "--stacked", "", new string('a', 4096), "r0*", "r0?", "~r0", "r0#",
    };

    [Theory, MemberData(nameof(HostileNames))]
    public void Hostile_drbd_resource_values_are_refused_with_6_and_nothing_runs(string name)
    {
        foreach (var action in new[] { "start", "monitor", "promote", "validate-all", "notify" })
        {
            var r = Run(action, P("drbd_resource", name));
            r.ExitCode.Should().Be(6, $"{action} of {SafeText.Quote(name)}: {r.Stderr}");
            r.ExitReason.Should().NotBeNullOrEmpty();
            r.ExitReason!.Should().NotContain("\n");
            r.ExitReason!.Length.Should().BeLessThan(400, "a 4 KiB value must not become a 4 KiB exit reason");
        }
        Drbd.Calls.Should().BeEmpty();
        Processes.Calls.Should().BeEmpty();
        File.Exists("/tmp/hacluster-drbd-x").Should().BeFalse();
    }

    [Theory]
    [InlineData("r0\nr1")]
    [InlineData("r0\r")]
    [InlineData("r0\t")]
    [InlineData("r0\u0007")]
    public void Control_characters_in_drbd_resource_are_refused_by_the_library_with_6(string name)
    {
        var r = Run("start", P("drbd_resource", name));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Contain("drbd_resource").And.NotContain("\n");
        Drbd.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("/etc/drbd.conf;reboot")]
    [InlineData("$(id)")]
    [InlineData("/etc/drbd conf")]
    public void Hostile_drbdconf_is_refused_with_6(string conf)
    {
        var r = Run("start", P("drbdconf", conf));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().StartWith("drbdconf name must only contain");
        Drbd.Commands.Should().BeEmpty();
    }

    [Theory]
    [InlineData("r0")]
    [InlineData("my-res_1.2+3%4=5@6:7/8")]
    public void Every_character_LINBIT_allows_is_accepted(string name)
    {
        Drbd.Running();
        Run("monitor", P("drbd_resource", name), Recurring).ExitCode.Should().Be(0);
        Drbd.Calls.Should().Contain($"status {name}");
    }

    [Fact]
    public void An_empty_drbdconf_means_the_default_etc_drbd_conf()
    {
        Drbd.Running();
        var r = Run("validate-all", P("drbdconf", ""));
        // Whether /etc/drbd.conf exists depends on the host (drbd-utils installs it): both ways
        // the agent must be looking at that file.
        if (File.Exists("/etc/drbd.conf")) Drbd.OptionsSeen[^1].ConfigFile.Should().Be("/etc/drbd.conf");
        else r.ExitReason.Should().Be("Configuration file /etc/drbd.conf does not exist or is not readable!");
        Run("start").ExitCode.Should().Be(0);
        Drbd.OptionsSeen[^1].ConfigFile.Should().Be(Conf);
    }

    [Fact]
    public void An_unreadable_drbdconf_is_5_and_a_probe_says_not_running()
    {
        var r = Run("start", P("drbdconf", Dir["missing.conf"]));
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().Be($"Configuration file {Dir["missing.conf"]} does not exist or is not readable!");
        Run("monitor", P("drbdconf", Dir["missing.conf"])).ExitCode.Should().Be(7);
    }

    [Fact]
    public void A_running_resource_is_reported_running_even_when_this_nodes_configuration_is_broken()
    {
        Drbd.Running(DrbdRole.Primary);
        Drbd.InConfiguration = false;
        Run("monitor").ExitCode.Should().Be(8, "a probe must not hide a Primary because drbd.conf lost it");
        Run("monitor", P("drbdconf", Dir["missing.conf"])).ExitCode.Should().Be(8);
        Drbd.Calls.Should().NotContain(c => c.StartsWith("sh-dev"));
    }

    [Fact]
    public void Missing_drbdadm_is_5_a_probe_7()
    {
        Processes.Missing.Add("/usr/sbin/drbdadm");
        Processes.Missing.Add("/sbin/drbdadm");
        Processes.Missing.Add("/usr/bin/drbdadm");
        Processes.Missing.Add("/bin/drbdadm");
        Run("start").ExitCode.Should().Be(5);
        Run("monitor").ExitCode.Should().Be(7);
        Run("monitor", Recurring).ExitCode.Should().Be(1, "a recurring monitor never says 'not running' for a broken host");
    }

    [Fact]
    public void No_drbd_module_anywhere_is_5_and_a_probe_7()
    {
        Drbd.Loaded = false;
        Drbd.Modinfo = null;
        var r = Run("start");
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().Be("DRBD kernel (module) not available?");
        Run("monitor").ExitCode.Should().Be(7);
    }

    [Theory]
    [InlineData("require_drbd_module_version_ge", "9.0.0", "required DRBD kernel (module) version -ge 9.0.0, but found: 8.4.11")]
    [InlineData("require_drbd_module_version_lt", "8.4.11", "required DRBD kernel (module) version -lt 8.4.11, but found: 8.4.11")]
    public void Module_version_gates_are_5(string parameter, string value, string reason)
    {
        var r = Run("start", P(parameter, value));
        r.ExitCode.Should().Be(5);
        r.ExitReason.Should().Be(reason);
        Run("start", P(parameter, "")).ExitCode.Should().Be(0, "empty means the default limit, which 8.4.11 meets");
        Drbd.Version = new(10, 0, 1);
        Run("start", P("require_drbd_module_version_lt", "")).ExitCode.Should().Be(5, "empty is the default 10.0.0, not 'no check', as LINBIT's ${X:=default}");
    }

    [Theory]
    [InlineData("9.0")]
    [InlineData("nine")]
    [InlineData("9.0.0;reboot")]
    public void A_module_version_limit_that_is_not_x_y_z_is_6(string value)
    {
        Run("start", P("require_drbd_module_version_ge", value)).ExitCode.Should().Be(6);
        Run("start", P("require_drbd_module_version_lt", value)).ExitCode.Should().Be(6);
    }

    [Fact]
    public void The_module_version_of_a_loaded_module_costs_no_modinfo()
    {
        Drbd.Running();
        Run("monitor", Recurring).ExitCode.Should().Be(0);
        Drbd.Calls.Should().NotContain("modinfo");
        Drbd.Loaded = false;
        Run("monitor").ExitCode.Should().Be(7);
        Drbd.Calls.Should().Contain("modinfo", "without a loaded module the version comes from modinfo, as in LINBIT's agent");
    }

    [Fact]
    public void DRBD_83_is_not_supported()
    {
        Drbd.Version = new(8, 3, 16);
        Run("start").ExitCode.Should().Be(5);
    }

    [Theory]
    [InlineData("CRM_meta_clone_max", null, "meta parameter misconfigured, expected clone-max -le 2, but found unset.")]
    [InlineData("CRM_meta_clone_max", "3", "meta parameter misconfigured, expected clone-max -le 2, but found '3'.")]
    [InlineData("CRM_meta_clone_node_max", "2", "meta parameter misconfigured, expected clone-node-max = 1, but found '2'.")]
    [InlineData("CRM_meta_promoted_node_max", "2", "meta parameter misconfigured, expected master-node-max = 1, but found '2'.")]
    [InlineData("CRM_meta_promoted_max", "3", "meta parameter misconfigured, expected master-max -le 2, but found '3'.")]
    [InlineData("CRM_meta_clone_max", "two", "meta parameter misconfigured, expected clone-max -le 2, but found 'two'.")]
    public void Clone_limits_are_6_except_on_stop(string meta, string? value, string reason)
    {
        var r = Run("start", P(meta, value));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be(reason);
        Drbd.Running();
        Run("stop", P(meta, value)).ExitCode.Should().Be(0);
        Drbd.Calls.Should().Contain("down r0");
    }

    [Fact]
    public void Drbd9_allows_more_than_two_clones_with_one_primary()
    {
        Drbd.Version = new(9, 2, 12);
        Run("start", P("CRM_meta_clone_max", "3")).ExitCode.Should().Be(0);
        Run("start", P("CRM_meta_clone_max", "3"), P("CRM_meta_promoted_max", "2"), P("CRM_meta_master_max", "2")).ExitCode.Should().Be(6);
    }

    [Fact]
    public void Two_primaries_need_allow_two_primaries_on_start_and_promote()
    {
        var two = new[] { P("CRM_meta_promoted_max", "2"), P("CRM_meta_master_max", "2") };
        var r = Run("start", two);
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("master-max > 1, but DRBD resource r0 does not allow-two-primaries.");
        Drbd.TwoPrimaries = true;
        Run("start", two).ExitCode.Should().Be(0);
        Drbd.Calls.Should().Contain("dump r0");
    }

    [Fact]
    public void Notify_is_required_unless_ignore_missing_notifications()
    {
        var r = Run("start", P("CRM_meta_notify", null));
        r.ExitCode.Should().Be(6);
        r.ExitReason.Should().Be("you really should enable notify when using this RA (or set ignore_missing_notifications=true)");
        Run("start", P("CRM_meta_notify", null), P("ignore_missing_notifications", "true")).ExitCode.Should().Be(0);
        Run("start", P("CRM_meta_notify", null), P("CRM_meta_notify_start_uname", " ")).ExitCode.Should().Be(0, "the notify lists alone tell notify is on");
        Run("monitor", P("CRM_meta_notify", null), Recurring).ExitCode.Should().Be(0, "monitors carry no notify variables");
    }

    [Fact]
    public void A_resource_not_in_the_configuration_probe_7_recurring_1_start_5()
    {
        Drbd.InConfiguration = false;
        Run("monitor").ExitCode.Should().Be(7);
        Scores.Should().BeEmpty();
        var recurring = Run("monitor", Recurring);
        recurring.ExitCode.Should().Be(1);
        recurring.ExitReason.Should().StartWith($"DRBD resource r0 not found in configuration file {Conf}");
        Scores.Should().Contain("promotion deleted");
        Run("start").ExitCode.Should().Be(5);
        Run("validate-all").ExitCode.Should().Be(5);
    }

    [Fact]
    public void A_stacked_resource_is_driven_with_S()
    {
        Drbd.StackedOnly = true;
        Run("start").ExitCode.Should().Be(0);
        Drbd.OptionsSeen[^1].Stacked.Should().BeTrue();
    }

    [Fact]
    public void Truth_values_that_are_not_OCF_truth_values_are_6()
    {
        Run("start", P("stop_outdates_secondary", "maybe")).ExitCode.Should().Be(6);
    }

    [Fact]
    public void A_bad_adjust_master_score_falls_back_to_the_defaults_not_6()
    {
        Drbd.Running();
        var r = Run("start", P("adjust_master_score", "5 4 3 2"));
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().Contain("BAD adjust_master_score value 5 > 4; falling back to default");
        Scores.Should().Equal("promotion=10000");
    }

    [Fact]
    public void Stop_with_an_invalid_configuration_still_downs_the_resource()
    {
        Drbd.Running(DrbdRole.Secondary);
        var r = Run("stop", P("drbdconf", "/etc/drbd.conf;x"));
        r.ExitCode.Should().Be(0, r.Stderr);
        Drbd.Commands.Should().Equal("setup-down r0");
        r.Stderr.Should().Contain("fencing of this node narrowly avoided");
    }

    [Fact]
    public void Stop_when_the_configuration_lost_the_resource_still_downs_it()
    {
        Drbd.Running(DrbdRole.Secondary);
        Drbd.InConfiguration = false;
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().Equal("setup-down r0");
    }

    [Fact]
    public void Stop_despite_invalid_configuration_of_an_unknown_resource_succeeds_without_down()
    {
        Drbd.InConfiguration = false;
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().BeEmpty();
    }

    [Fact]
    public void Stop_despite_invalid_configuration_fails_when_down_fails()
    {
        Drbd.Running(DrbdRole.Primary);
        Drbd.Results["setup-down"] = () => FakeDrbd.Fail(11, "State change failed: Device is held open by someone");
        var r = Run("stop", P("drbdconf", "/etc/drbd.conf;x"));
        r.ExitCode.Should().Be(1, "a stop that could not stop failed; never 6 from stop");
        r.ExitReason.Should().Contain("drbdsetup down r0 exited with status 11: State change failed");
    }

    [Fact]
    public void Stop_with_a_hostile_resource_name_runs_nothing_and_succeeds()
    {
        var r = Run("stop", P("drbd_resource", "$(reboot)"));
        r.ExitCode.Should().Be(0, "no start could have brought up a resource of that name");
        r.Stderr.Should().Contain("nothing can be running under these values");
        Drbd.Calls.Should().BeEmpty();
    }

    [Fact]
    public void Stop_without_a_module_succeeds_at_once()
    {
        Drbd.Loaded = false;
        Drbd.Modinfo = null;
        Run("stop").ExitCode.Should().Be(0);
        Drbd.Commands.Should().BeEmpty();
    }
}
