using System.Xml.Linq;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Ocf.MetaData;
using HaCluster.Testing;

namespace HaCluster.Ocf.Tests;

/// <summary>The meta-data document: one form that ocf-tester's DTD, pcs's schema and the OCF 1.1 schema all accept.</summary>
public class MetaDataTests
{
    static readonly string Xml = MetaDataWriter.Write(new SpecAgent());
    static XDocument Doc => XDocument.Parse(Xml, LoadOptions.None);

    [Fact]
    public void It_carries_the_DOCTYPE_ocf_tester_validates_with()
    {
        Xml.Should().StartWith("<?xml version=\"1.0\"?>\n<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n");
    }

    [Fact]
    public void It_declares_OCF_1_0_so_that_Pacemaker_calls_reload()
    {
        Doc.Root!.Element("version")!.Value.Should().Be("1.0");
        Doc.Root.Element("actions")!.Elements("action").Select(a => (string)a.Attribute("name")!).Should().Contain("reload").And.NotContain("reload-agent");
    }

    [Fact]
    public void Parameters_use_only_the_attributes_the_DTD_knows()
    {
        foreach (var p in Doc.Descendants("parameter"))
            p.Attributes().Select(a => a.Name.LocalName).Should().BeSubsetOf(["name", "required", "unique"]);
        Doc.Descendants("content").Select(c => (string)c.Attribute("type")!).Should().BeSubsetOf(["string", "integer", "boolean"]);
    }

    [Fact]
    public void Elements_come_in_the_order_the_DTD_requires()
    {
        Doc.Root!.Elements().Select(e => e.Name.LocalName).Should().Equal("version", "longdesc", "shortdesc", "parameters", "actions");
        foreach (var p in Doc.Descendants("parameter"))
            p.Elements().Select(e => e.Name.LocalName).Should().Equal("longdesc", "shortdesc", "content");
    }

    [Fact]
    public void Descriptions_are_escaped()
    {
        Doc.Root!.Element("shortdesc")!.Value.Should().Be("Spec agent <for> tests & such");
        Doc.Root.Element("longdesc")!.Value.Should().Contain("<markup> & \"quotes\"");
    }

    [Fact]
    public void Flags_the_DTD_cannot_express_are_said_in_the_long_description()
    {
        string Long(string name) => Doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == name).Element("longdesc")!.Value;
        Long("mode").Should().Contain("Allowed values: soft, hard.");
        Long("netmask").Should().Contain("Deprecated: use cidr instead");
        Long("secret").Should().Contain("Private");
        Long("label").Should().Contain("Reloadable");
        Long("nic").Should().Contain("Changing it restarts the resource.");
        Long("config").Should().Contain("Unique");
    }

    [Fact]
    public void Required_unique_defaults_and_timeouts_are_declared()
    {
        var config = Doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "config");
        ((string?)config.Attribute("required")).Should().Be("1");
        ((string?)config.Attribute("unique")).Should().Be("1");
        var count = Doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "count");
        ((string?)count.Element("content")!.Attribute("default")).Should().Be("5");
        var monitor = Doc.Descendants("action").Single(a => (string)a.Attribute("name")! == "monitor");
        ((string?)monitor.Attribute("timeout")).Should().Be("20s");
        ((string?)monitor.Attribute("interval")).Should().Be("10s");
        ((string?)monitor.Attribute("depth")).Should().Be("0");
        Doc.Descendants("action").Should().OnlyContain(a => a.Attribute("timeout") != null);
    }

    [Fact]
    public void Deprecated_parameters_say_so_in_the_short_description()
    {
        Doc.Descendants("parameter").Single(p => (string)p.Attribute("name")! == "netmask").Element("shortdesc")!.Value
            .Should().StartWith("(deprecated)");
    }

    // The real validators, on a document full of characters that need escaping.
    [Fact]
    public void The_ra_api_1_DTD_accepts_the_document() =>
        Xmllint(["--noout", "--valid", "-"], "/usr/share/resource-agents").Should().Be(0);

    [Fact]
    public void Pcs_schema_for_OCF_1_0_accepts_the_document() =>
        Xmllint(["--noout", "--relaxng", "/usr/share/pcs/data/ocf-1.0.rng", "-"], "/").Should().Be(0);

    [Fact]
    public void The_official_OCF_1_1_schema_accepts_the_document() =>
        Xmllint(["--noout", "--relaxng", Path.Combine(RepoRoot(), "tests/integration/schemas/ocf-1.1.rng"), "-"], "/").Should().Be(0);

    static int Xmllint(string[] args, string cwd)
    {
        // xmllint reads the document from stdin in the directory the DTD is resolved against;
        // the runner gives children /dev/null as stdin, so a file argument stands in for "-".
        using var dir = new TempDir();
        File.WriteAllText(dir["md.xml"], Xml);
        var list = args.Select(a => a == "-" ? dir["md.xml"] : a).ToList();
        if (cwd != "/") list.InsertRange(0, ["--dtdvalid", Path.Combine(cwd, "ra-api-1.dtd")]);
        if (cwd != "/") list.Remove("--valid");
        var r = new ProcessRunner().Run(new ProcessSpec("/usr/bin/xmllint", list), Deadline.After(TimeSpan.FromSeconds(20)));
        r.Outcome.Should().Be(ProcessOutcome.Exited, "xmllint must be installed (./build.sh test installs libxml2-utils)");
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException("xmllint: " + r.Stderr);
        return r.ExitCode;
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "HaCluster.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
