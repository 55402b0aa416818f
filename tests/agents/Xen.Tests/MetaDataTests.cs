using System.Xml.Linq;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>The meta-data: ocf:heartbeat:Xen's parameters and timeouts, so a resource can change provider.</summary>
public class MetaDataTests : XenFixture
{
    [Fact]
    public void Meta_data_has_every_parameter_of_the_shell_agent_and_its_timeouts()
    {
        var r = RunFake("meta-data");
        r.ExitCode.Should().Be(0);
        var doc = XDocument.Parse(r.Stdout);
        doc.Descendants("parameter").Select(p => (string)p.Attribute("name")!).Should().Equal(
            "xmfile", "name", "shutdown_timeout", "shutdown_acpi", "allow_mem_management", "node_ip_attribute",
            "reserved_Dom0_memory", "autoset_utilization_cpu", "autoset_utilization_hv_memory", "monitor_scripts");
        var timeouts = doc.Descendants("action").ToDictionary(a => (string)a.Attribute("name")!, a => (string)a.Attribute("timeout")!);
        timeouts.Should().Contain(new Dictionary<string, string>
        {
            ["start"] = "60s", ["stop"] = "40s", ["migrate_from"] = "120s", ["migrate_to"] = "120s",
            ["monitor"] = "30s", ["meta-data"] = "5s", ["validate-all"] = "5s",
        });
        timeouts.Should().ContainKey("reload");
        doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "xmfile").Attribute("unique")!.Value.Should().Be("1");
        doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "reserved_Dom0_memory").Element("content")!.Attribute("default")!.Value.Should().Be("512");
        doc.Root!.Element("longdesc")!.Value.Should().Contain("Differences from ocf:heartbeat:Xen");
    }
}
