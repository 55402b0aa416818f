using System.Xml;
using System.Xml.Linq;

namespace HaCluster.ManGen;

/// <summary>One &lt;parameter&gt; of an agent's meta-data.</summary>
internal sealed record AgentParameter(
    string Name,
    bool Required,
    bool Unique,
    bool Reloadable,
    bool Deprecated,
    string? ReplacedWith,
    string ShortDesc,
    string LongDesc,
    string Type,
    string? Default,
    IReadOnlyList<string> Options);

/// <summary>One &lt;action&gt; of an agent's meta-data.</summary>
internal sealed record AgentAction(
    string Name,
    string? Timeout,
    string? Interval,
    string? Depth,
    string? Role);

/// <summary>The parts of OCF resource agent meta-data (ra-api-1.dtd, OCF 1.0 and 1.1) that a man page shows.</summary>
internal sealed record AgentMetaData(
    string Name,
    string Version,
    string OcfVersion,
    string ShortDesc,
    string LongDesc,
    IReadOnlyList<AgentParameter> Parameters,
    IReadOnlyList<AgentAction> Actions)
{
    public bool HasAction(string name) => Actions.Any(a => a.Name == name);

    public bool SupportsMigration => HasAction("migrate_to") || HasAction("migrate_from");

    public bool IsPromotable => HasAction("promote") && HasAction("demote");

    /// <summary>Parses meta-data XML. The DOCTYPE is ignored: ra-api-1.dtd is never fetched or resolved.</summary>
    public static AgentMetaData Parse(TextReader input)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        XDocument doc;
        using (var reader = XmlReader.Create(input, settings))
        {
            doc = XDocument.Load(reader, LoadOptions.None);
        }

        var root = doc.Root ?? throw new FormatException("meta-data has no root element");
        if (root.Name.LocalName != "resource-agent")
        {
            throw new FormatException($"root element is <{root.Name.LocalName}>, expected <resource-agent>");
        }

        var name = Attr(root, "name") ?? throw new FormatException("<resource-agent> has no name attribute");
        if (name.Length == 0)
        {
            throw new FormatException("<resource-agent> has an empty name attribute");
        }

        var parameters = new List<AgentParameter>();
        foreach (var p in Child(root, "parameters")?.Elements().Where(e => e.Name.LocalName == "parameter") ?? [])
        {
            parameters.Add(ParseParameter(p));
        }

        var actions = new List<AgentAction>();
        foreach (var a in Child(root, "actions")?.Elements().Where(e => e.Name.LocalName == "action") ?? [])
        {
            var actionName = Attr(a, "name");
            if (string.IsNullOrWhiteSpace(actionName))
            {
                throw new FormatException("an <action> has no name attribute");
            }

            actions.Add(new AgentAction(
                actionName.Trim(),
                NonEmpty(Attr(a, "timeout")),
                NonEmpty(Attr(a, "interval")),
                NonEmpty(Attr(a, "depth")),
                NonEmpty(Attr(a, "role"))));
        }

        return new AgentMetaData(
            name.Trim(),
            Attr(root, "version")?.Trim() ?? "",
            Child(root, "version")?.Value.Trim() ?? "",
            Desc(root, "shortdesc"),
            Desc(root, "longdesc"),
            parameters,
            actions);
    }

    private static AgentParameter ParseParameter(XElement p)
    {
        var name = Attr(p, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new FormatException("a <parameter> has no name attribute");
        }

        var content = Child(p, "content");
        var deprecatedElement = Child(p, "deprecated");
        var replacedWith = deprecatedElement?.Elements()
            .Where(e => e.Name.LocalName == "replaced-with")
            .Select(e => Attr(e, "name"))
            .FirstOrDefault(n => !string.IsNullOrWhiteSpace(n));
        var options = content?.Elements()
            .Where(e => e.Name.LocalName == "option")
            .Select(e => Attr(e, "value"))
            .Where(v => v is not null)
            .Select(v => v!)
            .ToList() ?? [];

        return new AgentParameter(
            name.Trim(),
            IsTrue(Attr(p, "required")),
            IsTrue(Attr(p, "unique")) || IsTrue(Attr(p, "unique-group")),
            IsTrue(Attr(p, "reloadable")),
            IsTrue(Attr(p, "deprecated")) || deprecatedElement is not null,
            replacedWith?.Trim(),
            Desc(p, "shortdesc"),
            Desc(p, "longdesc"),
            NonEmpty(content is null ? null : Attr(content, "type"))?.Trim() ?? "string",
            NonEmpty(content is null ? null : Attr(content, "default")),
            options);
    }

    /// <summary>OCF booleans in attributes: "1" (the DTD's form), also "true"/"yes".</summary>
    private static bool IsTrue(string? value) =>
        value is not null && value.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Attr(XElement e, string name) => e.Attribute(name)?.Value;

    private static XElement? Child(XElement e, string localName) =>
        e.Elements().FirstOrDefault(c => c.Name.LocalName == localName);

    /// <summary>
    /// The text of a shortdesc/longdesc child. Several may exist with different lang attributes:
    /// prefer English (or no lang), else the first one.
    /// </summary>
    private static string Desc(XElement e, string localName)
    {
        var candidates = e.Elements().Where(c => c.Name.LocalName == localName).ToList();
        var chosen = candidates.FirstOrDefault(c =>
                         Attr(c, "lang") is null or "" || Attr(c, "lang")!.StartsWith("en", StringComparison.OrdinalIgnoreCase))
                     ?? candidates.FirstOrDefault();
        return chosen?.Value ?? "";
    }
}
