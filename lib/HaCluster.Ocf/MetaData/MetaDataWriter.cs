using System.Globalization;
using System.Text;

namespace HaCluster.Ocf.MetaData;

/// <summary>
/// Writes an agent's meta-data from its declaration.
/// <para>
/// <b>Why OCF 1.0 with a <c>reload</c> action.</b> Three validators read this document and they
/// disagree on OCF 1.1: ocf-tester validates against resource-agents' ra-api-1.dtd (OCF 1.0:
/// parameter attributes only name/required/unique; content types string/integer/boolean/time;
/// no select, reloadable, unique-group, deprecated or reload-agent), while pcs and the official
/// OCF 1.1 schema accept the 1.0 vocabulary too. Pacemaker (2.1.5) calls <c>reload-agent</c> only
/// for <c>&lt;version&gt;</c> ≥ 1.1, which the DTD rejects, but calls the legacy <c>reload</c> for
/// a 1.0 agent that advertises it whenever only non-unique parameters changed. So the one form
/// all three accept that still reloads instead of restarting is: version 1.0, the DTD's
/// vocabulary, a <c>reload</c> action, identity parameters <c>unique="1"</c>. Since Pacemaker then
/// treats every non-unique parameter as reloadable, the host's reload restarts the resource
/// itself (stop with the old values, start with the new) when a parameter the agent declares
/// non-reloadable changed. Select types appear as strings with their values listed; reloadable,
/// private and deprecated are said in the descriptions.
/// </para>
/// </summary>
public static class MetaDataWriter
{
    public const string OcfVersion = "1.0";

    public static string Write(ResourceAgent agent)
    {
        var sb = new StringBuilder(8192);
        sb.Append("<?xml version=\"1.0\"?>\n");
        sb.Append("<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n");
        sb.Append("<resource-agent name=\"").Append(Attr(agent.Name)).Append("\" version=\"").Append(Attr(agent.AgentVersion)).Append("\">\n");
        sb.Append("<version>").Append(OcfVersion).Append("</version>\n\n");
        sb.Append("<longdesc lang=\"en\">\n").Append(Text(agent.LongDescription.Trim())).Append("\n</longdesc>\n");
        sb.Append("<shortdesc lang=\"en\">").Append(Text(agent.ShortDescription)).Append("</shortdesc>\n\n");

        sb.Append("<parameters>\n");
        bool hasReload = agent.Actions.Any(a => a.Name == "reload");
        foreach (var p in agent.Parameters)
        {
            sb.Append("<parameter name=\"").Append(Attr(p.Name)).Append('"');
            if (p.Required) sb.Append(" required=\"1\"");
            if (p.Unique) sb.Append(" unique=\"1\"");
            sb.Append(">\n");
            sb.Append("<longdesc lang=\"en\">\n").Append(Text(LongDescriptionOf(p, hasReload))).Append("\n</longdesc>\n");
            sb.Append("<shortdesc lang=\"en\">").Append(Text(ShortDescriptionOf(p))).Append("</shortdesc>\n");
            sb.Append("<content type=\"").Append(ContentType(p.Type)).Append('"');
            if (p.DefaultText is { } d) sb.Append(" default=\"").Append(Attr(d)).Append('"');
            sb.Append(" />\n</parameter>\n\n");
        }
        sb.Append("</parameters>\n\n");

        sb.Append("<actions>\n");
        foreach (var a in agent.Actions)
        {
            sb.Append("<action name=\"").Append(Attr(a.Name)).Append("\" timeout=\"").Append(Seconds(a.Timeout)).Append('"');
            if (a.Interval is { } i) sb.Append(" interval=\"").Append(Seconds(i)).Append('"');
            if (a.StartDelay is { } sd) sb.Append(" start-delay=\"").Append(Seconds(sd)).Append('"');
            if (a.Depth is { } depth) sb.Append(" depth=\"").Append(depth.ToString(CultureInfo.InvariantCulture)).Append('"');
            if (a.Role is { } role) sb.Append(" role=\"").Append(Attr(role)).Append('"');
            sb.Append(" />\n");
        }
        sb.Append("</actions>\n");
        sb.Append("</resource-agent>\n");
        return sb.ToString();
    }

    /// <summary>The usage text: the actions the agent answers.</summary>
    public static string Usage(ResourceAgent agent)
    {
        var names = agent.Actions.Select(a => a.Name).Distinct().ToList();
        foreach (var always in new[] { "validate-all", "meta-data", "usage" })
            if (!names.Contains(always)) names.Add(always);
        return $"usage: {agent.Name} {{{string.Join('|', names)}}}\n\n" +
               "Expects to have a fully populated OCF RA-compliant environment set.\n";
    }

    static string ShortDescriptionOf(Parameter p) =>
        p.ReplacedBy is not null ? "(deprecated) " + p.ShortDescription : p.ShortDescription;

    static string LongDescriptionOf(Parameter p, bool hasReload)
    {
        var sb = new StringBuilder(p.LongDescription.Trim());
        void Note(string s) { if (sb.Length > 0) sb.Append("\n\n"); sb.Append(s); }
        if (p.Options.Count > 0) Note("Allowed values: " + string.Join(", ", p.Options) + ".");
        if (p.ReplacedBy is not null) Note($"Deprecated: use {p.ReplacedBy} instead; this value is used only when {p.ReplacedBy} is not set.");
        if (p.Private) Note("Private: the value is never logged.");
        if (p.Unique) Note("Unique: no two resources of this type may share the value; changing it restarts the resource.");
        else if (hasReload) Note(p.Reloadable ? "Reloadable: a change takes effect without restarting the resource." : "Changing it restarts the resource.");
        return sb.ToString();
    }

    static string ContentType(ParameterType t) => t switch
    {
        ParameterType.Integer => "integer",
        ParameterType.Boolean => "boolean",
        _ => "string",
    };

    static string Seconds(TimeSpan t) =>
        t.TotalSeconds == Math.Floor(t.TotalSeconds)
            ? ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    internal static string Text(string s) => Escape(s, attribute: false);
    internal static string Attr(string s) => Escape(s, attribute: true);

    static string Escape(string s, bool attribute)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"' when attribute: sb.Append("&quot;"); break;
                case '\n' when attribute: sb.Append("&#10;"); break;
                default:
                    // Characters XML 1.0 forbids never reach the document.
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') sb.Append(' ');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
