using HaCluster.Ocf;

namespace HaCluster.Ocf.Tests;

/// <summary>What the host reads from the environment Pacemaker, crm_resource or ocf-tester passes.</summary>
public class EnvironmentTests
{
    static OcfEnvironment Env(params (string k, string v)[] vars) =>
        OcfEnvironment.FromDictionary(vars.ToDictionary(x => x.k, x => x.v), "/usr/lib/ocf/resource.d/hacluster/IPaddr2");

    [Fact]
    public void Defaults_apply_when_variables_are_missing()
    {
        var e = Env();
        e.OcfRoot.Should().Be("/usr/lib/ocf");
        e.ResourceType.Should().Be("IPaddr2");
        e.RscTmp.Should().Be("/run/resource-agents");
        e.SbinDir.Should().Be("/usr/sbin");
        e.ExitReasonPrefix.Should().Be("ocf-exit-reason:");
        e.ResourceInstance.Should().BeNull();
        e.FailHaveBinary.Should().BeFalse();
    }

    [Fact]
    public void Given_variables_win_over_defaults()
    {
        var e = Env(("OCF_ROOT", "/opt/ocf"), ("OCF_RESOURCE_TYPE", "X"), ("HA_RSCTMP", "/tmp/r"), ("HA_SBIN_DIR", "/tmp/sbin"),
            ("OCF_RESOURCE_INSTANCE", "vip"), ("OCF_TESTER_FAIL_HAVE_BINARY", "1"));
        e.OcfRoot.Should().Be("/opt/ocf");
        e.ResourceType.Should().Be("X");
        e.RscTmp.Should().Be("/tmp/r");
        e.SbinDir.Should().Be("/tmp/sbin");
        e.ResourceInstance.Should().Be("vip");
        e.FailHaveBinary.Should().BeTrue();
    }

    [Fact]
    public void Timeout_and_interval_are_milliseconds()
    {
        var m = Env(("OCF_RESKEY_CRM_meta_timeout", "20000"), ("OCF_RESKEY_CRM_meta_interval", "10000")).Meta;
        m.Timeout.Should().Be(TimeSpan.FromSeconds(20));
        m.Interval.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_missing_interval_is_zero_and_a_missing_timeout_is_null()
    {
        var m = Env().Meta;
        m.Interval.Should().Be(TimeSpan.Zero);
        m.Timeout.Should().BeNull();
    }

    [Theory]
    [InlineData("10", 10)]
    [InlineData("20", 20)]
    public void OCF_CHECK_LEVEL_is_read_in_both_spellings(string value, int expected)
    {
        Env(("OCF_CHECK_LEVEL", value)).CheckLevel.Should().Be(expected);
        Env(("OCF_RESKEY_OCF_CHECK_LEVEL", value)).CheckLevel.Should().Be(expected);
        Env().CheckLevel.Should().Be(0);
        Env(("OCF_CHECK_LEVEL", "junk")).CheckLevel.Should().Be(0);
    }

    [Fact]
    public void Clone_facts_come_from_the_meta_attributes()
    {
        var m = Env(("OCF_RESKEY_CRM_meta_clone", "1"), ("OCF_RESKEY_CRM_meta_clone_max", "2"),
            ("OCF_RESKEY_CRM_meta_clone_node_max", "1"), ("OCF_RESKEY_CRM_meta_globally_unique", "false")).Meta;
        m.IsClone.Should().BeTrue();
        m.CloneNumber.Should().Be(1);
        m.CloneMax.Should().Be(2);
        m.CloneNodeMax.Should().Be(1);
        m.GloballyUnique.Should().BeFalse();
        m.IsPromotable.Should().BeFalse();
        Env().Meta.IsClone.Should().BeFalse();
    }

    [Fact]
    public void Promotable_is_detected_from_the_promoted_counts_in_either_spelling()
    {
        var current = Env(("OCF_RESKEY_CRM_meta_promoted_max", "1"), ("OCF_RESKEY_CRM_meta_promoted_node_max", "1")).Meta;
        current.IsPromotable.Should().BeTrue();
        current.PromotedMax.Should().Be(1);
        var legacy = Env(("OCF_RESKEY_CRM_meta_master_max", "2"), ("OCF_RESKEY_CRM_meta_master_node_max", "1")).Meta;
        legacy.IsPromotable.Should().BeTrue();
        legacy.PromotedMax.Should().Be(2);
        legacy.PromotedNodeMax.Should().Be(1);
    }

    [Fact]
    public void Roles_are_given_in_current_words()
    {
        Env(("OCF_RESKEY_CRM_meta_role", "Master")).Meta.Role.Should().Be("Promoted");
        Env(("OCF_RESKEY_CRM_meta_role", "Slave")).Meta.Role.Should().Be("Unpromoted");
        Env(("OCF_RESKEY_CRM_meta_role", "Promoted")).Meta.Role.Should().Be("Promoted");
    }

    [Fact]
    public void Migration_and_node_facts()
    {
        var m = Env(("OCF_RESKEY_CRM_meta_migrate_source", "n1"), ("OCF_RESKEY_CRM_meta_migrate_target", "n2"),
            ("OCF_RESKEY_CRM_meta_on_node", "n1"), ("OCF_RESKEY_CRM_meta_on_node_uuid", "1")).Meta;
        m.MigrateSource.Should().Be("n1");
        m.MigrateTarget.Should().Be("n2");
        m.OnNode.Should().Be("n1");
        m.OnNodeUuid.Should().Be("1");
    }

    [Fact]
    public void A_notify_list_of_a_single_space_is_empty()
    {
        var n = Env(("OCF_RESKEY_CRM_meta_notify", "true"), ("OCF_RESKEY_CRM_meta_notify_type", "pre"),
            ("OCF_RESKEY_CRM_meta_notify_operation", "start"),
            ("OCF_RESKEY_CRM_meta_notify_start_resource", " "), ("OCF_RESKEY_CRM_meta_notify_start_uname", " "),
            ("OCF_RESKEY_CRM_meta_notify_active_resource", "drbd:0 drbd:1"), ("OCF_RESKEY_CRM_meta_notify_active_uname", "n1 n2"),
            ("OCF_RESKEY_CRM_meta_notify_available_uname", "n2 n1")).Meta.Notify;
        n.Enabled.Should().BeTrue();
        n.Type.Should().Be("pre");
        n.Operation.Should().Be("start");
        n.Start.IsEmpty.Should().BeTrue();
        n.Active.Resources.Should().Equal("drbd:0", "drbd:1");
        n.Active.Unames.Should().Equal("n1", "n2");
        n.AvailableUnames.Should().Equal("n2", "n1");
    }

    [Fact]
    public void Promoted_and_unpromoted_lists_fall_back_to_the_legacy_names()
    {
        var n = Env(("OCF_RESKEY_CRM_meta_notify_master_uname", "n1"), ("OCF_RESKEY_CRM_meta_notify_master_resource", "d:0"),
            ("OCF_RESKEY_CRM_meta_notify_slave_uname", "n2"), ("OCF_RESKEY_CRM_meta_notify_slave_resource", "d:1")).Meta.Notify;
        n.Promoted.Unames.Should().Equal("n1");
        n.Unpromoted.Resources.Should().Equal("d:1");
        var current = Env(("OCF_RESKEY_CRM_meta_notify_promoted_uname", "n3"), ("OCF_RESKEY_CRM_meta_notify_master_uname", "n1")).Meta.Notify;
        current.Promoted.Unames.Should().Equal("n3");
    }

    [Fact]
    public void Notify_without_any_variables_is_disabled_and_empty()
    {
        var n = Env().Meta.Notify;
        n.Enabled.Should().BeFalse();
        n.Type.Should().BeNull();
        n.Start.IsEmpty.Should().BeTrue();
        n.AllUnames.Should().BeEmpty();
    }
}
