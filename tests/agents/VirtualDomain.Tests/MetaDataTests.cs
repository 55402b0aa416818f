namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// meta-data: every parameter of the shell agent with its type and default, its actions and
/// timeouts.
/// </summary>
public class MetaDataTests : VirtualDomainFixture
{
    [Fact]
    public void Meta_data_has_every_parameter_of_the_shell_agent_with_its_type_and_default()
    {
        var r = Run("meta-data");
        r.ExitCode.Should().Be(0);
        var doc = System.Xml.Linq.XDocument.Parse(r.Stdout);
        var parameters = doc.Descendants("parameter").ToDictionary(
            p => (string)p.Attribute("name")!,
            p => ((string?)p.Element("content")!.Attribute("type"), (string?)p.Element("content")!.Attribute("default")));
        var expected = new (string Name, string Type, string? Default)[]
        {
            ("config", "string", ""), ("hypervisor", "string", null), ("force_stop", "boolean", "false"),
            ("migration_transport", "string", ""), ("migration_user", "string", ""), ("migration_downtime", "integer", "0"),
            ("migration_speed", "integer", "0"), ("migration_network_suffix", "string", ""), ("migrateuri", "string", ""),
            ("migrate_options", "string", ""), ("monitor_scripts", "string", ""), ("autoset_utilization_cpu", "boolean", "true"),
            ("autoset_utilization_host_memory", "boolean", "true"), ("autoset_utilization_hv_memory", "boolean", "true"),
            ("unset_utilization_cpu", "boolean", "false"), ("unset_utilization_host_memory", "boolean", "false"),
            ("unset_utilization_hv_memory", "boolean", "false"), ("migrateport", "integer", null), ("remoteuri", "string", ""),
            ("save_config_on_stop", "boolean", "false"), ("sync_config_on_stop", "boolean", "false"), ("snapshot", "string", ""),
            ("backingfile", "string", ""), ("stateless", "boolean", "false"), ("copyindirs", "string", ""),
            ("shutdown_mode", "string", ""), ("start_resources", "boolean", "false"),
        };
        parameters.Keys.Should().Equal(expected.Select(e => e.Name));
        foreach (var e in expected)
        {
            parameters[e.Name].Item1.Should().Be(e.Type, e.Name);
            (parameters[e.Name].Item2 ?? "").Should().Be(e.Default ?? "", e.Name);
        }
        var config = doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "config");
        ((string?)config.Attribute("unique")).Should().Be("1");
        ((string?)config.Attribute("required")).Should().Be("1");
        doc.Descendants("parameter").Where(p => (string?)p.Attribute("unique") == "1").Should().ContainSingle("only config identifies the resource");
    }

    [Fact]
    public void Meta_data_has_the_shell_agents_actions_and_timeouts_plus_reload()
    {
        var doc = System.Xml.Linq.XDocument.Parse(Run("meta-data").Stdout);
        var actions = doc.Descendants("action").Select(a => $"{a.Attribute("name")!.Value} {a.Attribute("timeout")!.Value} {(string?)a.Attribute("interval")}".Trim()).ToList();
        actions.Should().BeEquivalentTo("start 90s", "stop 90s", "status 30s 10s", "monitor 30s 10s", "migrate_from 60s", "migrate_to 120s",
            "reload 90s", "meta-data 5s", "validate-all 5s");
        ((string)doc.Root!.Element("version")!).Should().Be("1.0");
        doc.Root.Element("longdesc")!.Value.Should().Contain("Differences from ocf:heartbeat:VirtualDomain").And.Contain("shutdown_mode");
    }
}
