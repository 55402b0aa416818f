using System.Xml;
using HaCluster.Agents.VirtualDomain;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The agent's own XML reader (DomainXml, which keeps System.Xml out of the executable) against
/// domain XMLs libvirt wrote (TestData/libvirt, captured with virsh dumpxml from the test
/// driver), against System.Xml's XmlReader as the reference, and against malformed and hostile
/// documents.
/// </summary>
public sealed class DomainXmlTests
{
    static string Data(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "libvirt", name));

    /// <summary>What XmlReader says the agent should read: name, emulator, pools, networks.</summary>
    static (string? Name, string? Emulator, string[] Pools, string[] Networks) Reference(string xml)
    {
        using var r = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true });
        string? name = null, emulator = null;
        var pools = new List<string>();
        var networks = new List<string>();
        r.MoveToContent();
        int root = r.Depth;
        while (r.Read())
        {
            if (r.NodeType != XmlNodeType.Element) continue;
            if (r.Depth == root + 1 && r.Name == "name") name ??= r.ReadElementContentAsString().Trim();
            else if (r.Depth == root + 2 && r.Name == "emulator") emulator ??= r.ReadElementContentAsString().Trim();
            if (r.NodeType == XmlNodeType.Element && r.Name == "source")
            {
                if (r.GetAttribute("pool") is { Length: > 0 } p && !pools.Contains(p)) pools.Add(p);
                if (r.GetAttribute("network") is { Length: > 0 } n && !networks.Contains(n)) networks.Add(n);
            }
        }
        return (name, emulator, pools.ToArray(), networks.ToArray());
    }

    [Theory]
    [InlineData("test-driver-dumpxml.xml", "test", null, new string[0], new[] { "default" })]
    [InlineData("qemu-pool-network-dumpxml.xml", "web&db-1", "/usr/bin/qemu-system-x86_64", new[] { "vmpool" }, new[] { "svc-net" })]
    public void Domain_XML_written_by_libvirt_is_read_as_XmlReader_reads_it(string file, string name, string? emulator, string[] pools, string[] networks)
    {
        string xml = Data(file);
        var config = DomainConfig.Parse(xml, out var error);
        error.Should().BeNull();
        config!.Name.Should().Be(name);
        config.Emulator.Should().Be(emulator);
        config.Pools.Should().Equal(pools);
        config.Networks.Should().Equal(networks);
        var reference = Reference(xml);
        config.Name.Should().Be(reference.Name);
        config.Emulator.Should().Be(reference.Emulator);
        config.Pools.Should().Equal(reference.Pools);
        config.Networks.Should().Equal(reference.Networks);
    }

    [Theory]
    // declaration, comments (also holding a decoy <name>), processing instruction, CDATA, entities, namespaces
    [InlineData("<?xml version='1.0' encoding='UTF-8'?>\n<!-- <name>decoy</name> -->\n<domain type='kvm'><name>vm1</name></domain>\n")]
    [InlineData("<domain><!-- <name>decoy</name> --><name>vm1</name></domain>")]
    [InlineData("<domain><?pi data?><name><![CDATA[vm<1>]]></name></domain>")]
    [InlineData("<domain><name>a&lt;b&gt;&amp;&quot;&apos;&#65;&#x42;</name></domain>")]
    [InlineData("<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name> spaced </name><qemu:commandline/></domain>")]
    [InlineData("<domain\n  type=\"kvm\"\n><name>vm1</name><devices><emulator>/usr/bin/kvm</emulator></devices></domain>")]
    [InlineData("<domain><name>first</name><name>second</name><devices><disk><source pool='p1'/></disk><disk><source pool='p1'/></disk><source network='n'/></devices></domain>")]
    [InlineData("<domain><metadata><name>nested is not the domain's</name></metadata><name>vm1</name></domain>")]
    public void Well_formed_documents_read_like_XmlReader(string xml)
    {
        var config = DomainConfig.Parse(xml, out var error);
        error.Should().BeNull();
        var reference = Reference(xml);
        config!.Name.Should().Be(reference.Name);
        config.Emulator.Should().Be(reference.Emulator);
        config.Pools.Should().Equal(reference.Pools);
        config.Networks.Should().Equal(reference.Networks);
    }

    [Theory]
    [InlineData("", "there is no root element")]
    [InlineData("<domain><name>vm1</name>", "<domain> is not closed")]
    [InlineData("<domain><name>vm1</domain>", "</domain> closes <name>")]
    [InlineData("<domain><name>vm1</name></domain><domain/>", "content after the root element")]
    [InlineData("<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><name>&x;</name></domain>", "document type declarations are not accepted")]
    [InlineData("<domain><name>&x;</name></domain>", "&x; is not defined")]
    [InlineData("<domain><name>&#0;</name></domain>", "is not a character")]
    [InlineData("<domain><name>a & b</name></domain>", "'&' starts no reference")]
    [InlineData("<domain a='1' a='2'/>", "attribute 'a' appears twice")]
    [InlineData("<domain a=1/>", "is not quoted")]
    [InlineData("<domain a='<'/>", "'<' in the value")]
    [InlineData("<domain a='1'b='2'/>", "white space is missing")]
    [InlineData("<domain><!-- open", "a comment does not end")]
    [InlineData("<domain><![CDATA[x</domain>", "a CDATA section does not end")]
    [InlineData("<1domain/>", "a name is expected")]
    public void Malformed_documents_are_refused_with_where_and_why(string xml, string why)
    {
        var act = () => DomainXml.Read(xml, _ => { });
        act.Should().Throw<FormatException>().WithMessage($"*{why}*").And.Message.Should().MatchRegex(@"line \d+, position \d+$");
        DomainConfig.Parse(xml, out var error).Should().BeNull();
        error.Should().StartWith("it is not well-formed XML (");
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_exhausting_the_stack()
    {
        string xml = string.Concat(Enumerable.Repeat("<a>", 200_000)) + string.Concat(Enumerable.Repeat("</a>", 200_000));
        var act = () => DomainXml.Read(xml, _ => { });
        act.Should().Throw<FormatException>().WithMessage($"*nested deeper than {DomainXml.MaxDepth}*");
    }

    [Fact]
    public void The_root_must_be_a_domain()
    {
        DomainConfig.Parse("<network><name>default</name></network>", out var error).Should().BeNull();
        error.Should().Be("its root element is not <domain>");
    }

    [Fact]
    public void Elements_come_in_document_order_of_their_ends_with_depth_attributes_and_own_text()
    {
        var seen = new List<DomainXml.Element>();
        DomainXml.Read("<domain type='kvm'>a<name>vm</name>b<devices><emulator>/e</emulator></devices></domain>", seen.Add);
        seen.Select(e => (e.Name, e.Depth, e.Text)).Should().Equal(("name", 1, "vm"), ("emulator", 2, "/e"), ("devices", 1, ""), ("domain", 0, "ab"));
        seen[^1].Attributes.Should().Equal(new Dictionary<string, string> { ["type"] = "kvm" });
    }
}
