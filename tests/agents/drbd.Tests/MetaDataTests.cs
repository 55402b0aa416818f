using System.Diagnostics;
using System.Xml.Linq;
using HaCluster.Drbd;

namespace HaCluster.Agents.Drbd.Tests;

/// <summary>The meta-data: LINBIT's parameters, defaults and timeouts, valid for every consumer.</summary>
public class MetaDataTests : DrbdFixture
{
    XDocument MetaData()
    {
        var r = Run("meta-data");
        r.ExitCode.Should().Be(0);
        return XDocument.Parse(r.Stdout);
    }

    // ocf:linbit:drbd 9.22's meta-data (name, default); the types differ only where LINBIT's are wrong.
    static readonly (string Name, string? Default)[] Linbit =
    [
        ("drbd_resource", ""), ("drbdconf", "/etc/drbd.conf"), ("adjust_master_score", "0 10 1000 10000"),
        ("stop_outdates_secondary", "false"), ("ignore_missing_notifications", "false"), ("wfc_timeout", "5"),
        ("remove_master_score_if_peer_primary", "false"), ("fail_promote_early_if_peer_primary", "false"),
        ("unfence_if_all_uptodate", "false"),
        ("unfence_extra_args", "--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match"),
        ("require_drbd_module_version_ge", "8.0.0"), ("require_drbd_module_version_lt", "10.0.0"),
        ("connect_only_after_promote", "false"),
    ];

    [Fact]
    public void Every_parameter_of_ocf_linbit_drbd_with_its_default_in_its_order()
    {
        var ps = MetaData().Descendants("parameter").Select(p => (p.Attribute("name")!.Value, p.Element("content")!.Attribute("default")?.Value)).ToList();
        ps.Should().Equal(Linbit);
        var res = MetaData().Descendants("parameter").First();
        (res.Attribute("required")?.Value, res.Attribute("unique")?.Value).Should().Be(("1", "1"));
        MetaData().Descendants("parameter").Skip(1).Should().OnlyContain(p => p.Attribute("unique") == null && p.Attribute("required") == null);
    }

    [Fact]
    public void LINBITs_actions_and_timeouts_and_a_timeout_for_validate_all()
    {
        var acts = MetaData().Descendants("action")
            .Select(a => $"{a.Attribute("name")!.Value} {a.Attribute("timeout")?.Value} {a.Attribute("interval")?.Value} {a.Attribute("role")?.Value}".TrimEnd()).ToList();
        acts.Should().Equal("start 240s", "reload 30s", "promote 90s", "demote 90s", "notify 90s", "stop 100s",
            "monitor 20s 20s Slave", "monitor 20s 10s Master", "meta-data 5s", "validate-all 30s");
    }

    [Fact]
    public void The_long_description_lists_the_differences_from_LINBITs_agent()
    {
        var longdesc = MetaData().Root!.Element("longdesc")!.Value;
        longdesc.Should().Contain("Differences from ocf:linbit:drbd:").And.Contain("one process").And.Contain("nothing is eval'd").And.Contain("bounded");
        MetaData().Descendants("parameter").Should().OnlyContain(p => p.Element("shortdesc")!.Value.Length > 0, "LINBIT's lacks some, which the DTD rejects");
    }

    [Fact]
    public void Meta_data_is_valid_for_ocf_testers_DTD_and_pcs_schema()
    {
        var file = Dir["meta-data.xml"];
        File.WriteAllText(file, Run("meta-data").Stdout);
        Xmllint("--noout", "--dtdvalid", "/usr/share/resource-agents/ra-api-1.dtd", file).Should().Be(0);
        Xmllint("--noout", "--relaxng", "/usr/share/pcs/data/ocf-1.0.rng", file).Should().Be(0);
    }

    static int Xmllint(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/xmllint") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new Xunit.Sdk.XunitException("xmllint " + string.Join(' ', args) + ": " + err);
        return p.ExitCode;
    }
}
