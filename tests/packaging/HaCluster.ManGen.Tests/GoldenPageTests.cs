using System.Runtime.CompilerServices;

namespace HaCluster.ManGen.Tests;

/// <summary>
/// mangen's roff output, byte for byte, for each agent's real meta-data and for hand-written
/// edge cases (TestData/NAME.xml gives TestData/NAME.7). A change of the output fails here; when
/// it is intended, run the tests once with HACLUSTER_UPDATE_GOLDEN=1 to rewrite the expected
/// pages in the source tree, and review their diff.
/// </summary>
public class GoldenPageTests
{
    /// <summary>What build-deb.sh passes, with a fixed date instead of SOURCE_DATE_EPOCH.</summary>
    internal static readonly ManPageOptions Options = new("hacluster", "hacluster-agents 1.0", new DateOnly(2025, 1, 15), null);

    public static TheoryData<string> Pages =>
    [
        // Each agent's meta-data as the agent prints it (refresh with "<Agent> meta-data").
        "Dummy", "IPaddr2", "VirtualDomain", "Xen", "drbd",
        // Roff requests and escapes in text, non-ASCII, lists, examples, OCF 1.1 roles,
        // deprecated and select parameters, missing descriptions.
        "edge-cases",
        // A root element with a name and nothing else.
        "minimal",
    ];

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_page_is_the_expected_one(string name)
    {
        string page = Render(File.ReadAllText(TestData(name + ".xml")));

        if (Environment.GetEnvironmentVariable("HACLUSTER_UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(SourceTestData(), name + ".7"), page);

        page.Should().Be(File.ReadAllText(TestData(name + ".7")), $"TestData/{name}.7 is the page mangen wrote for TestData/{name}.xml");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_page_is_plain_ASCII_and_ends_its_last_line(string name)
    {
        string page = Render(File.ReadAllText(TestData(name + ".xml")));

        page.Should().MatchRegex(@"^[\x09\x0a\x20-\x7e]*$", "non-ASCII text is written as roff escapes");
        page.Should().StartWith(".\\\" Man page of the ocf:hacluster:");
        page.Should().EndWith("\n");
    }

    [Fact]
    public void Every_agent_page_names_the_agent_it_replaces()
    {
        foreach (var (agent, upstream) in new[]
        {
            ("Dummy", "ocf:heartbeat:Dummy"), ("IPaddr2", "ocf:heartbeat:IPaddr2"),
            ("VirtualDomain", "ocf:heartbeat:VirtualDomain"), ("Xen", "ocf:heartbeat:Xen"), ("drbd", "ocf:linbit:drbd"),
        })
        {
            Render(File.ReadAllText(TestData(agent + ".xml"))).Should().Contain(Roff.Escape(upstream), agent);
        }
    }

    /// <summary>The page as the command line renders it: the replaced agent comes from KnownReplacements.</summary>
    internal static string Render(string metaData)
    {
        var md = AgentMetaData.Parse(new StringReader(metaData));
        return new ManPage(md, Options with { Replaces = KnownReplacements.For(md.Name) }).Render();
    }

    internal static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);

    static string SourceTestData([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "TestData");
}
