using System.Globalization;
using System.Text;

namespace HaCluster.ManGen;

/// <summary>Options of one man page that do not come from the meta-data.</summary>
internal sealed record ManPageOptions(
    string Provider,
    string Source,
    DateOnly Date,
    string? Replaces);

/// <summary>
/// Writes a section 7 man page for an OCF resource agent, laid out like the ocf_heartbeat_*(7)
/// pages of resource-agents: NAME, SYNOPSIS, DESCRIPTION, SUPPORTED PARAMETERS, SUPPORTED
/// ACTIONS, EXAMPLE CRM SHELL, EXAMPLE PCS, SEE ALSO, AUTHOR.
/// </summary>
internal sealed class ManPage(AgentMetaData md, ManPageOptions options)
{
    /// <summary>Operations shown in the examples besides monitor, when their timeout exceeds Pacemaker's default.</summary>
    private static readonly string[] ExampleTimedOps = ["start", "stop", "promote", "demote", "migrate_to", "migrate_from"];

    private const int PacemakerDefaultTimeoutSeconds = 20;

    private readonly StringBuilder _out = new();

    // True right after .SH, where a paragraph macro would be redundant.
    private bool _afterHeading;

    public string PageName => $"ocf_{options.Provider}_{md.Name}";

    private string ResourceType => $"ocf:{options.Provider}:{md.Name}";

    public string Render()
    {
        _out.Clear();
        Header();
        Name();
        Synopsis();
        Description();
        Parameters();
        Actions();
        ExampleCrmShell();
        ExamplePcs();
        SeeAlso();
        return _out.ToString();
    }

    // ---- Output primitives -------------------------------------------------------------------

    /// <summary>One raw roff line (a request, or text already escaped and protected).</summary>
    private void L(string roffLine)
    {
        _out.Append(roffLine).Append('\n');
        _afterHeading = false;
    }

    /// <summary>Filled text, already escaped: wrapped into short input lines.</summary>
    private void T(string escapedText)
    {
        foreach (var line in Roff.Wrap(escapedText))
        {
            L(line);
        }
    }

    /// <summary>Filled text from plain meta-data text.</summary>
    private void Text(string plain) => T(Roff.FilledText(plain));

    private void Section(string title)
    {
        L(".SH " + (title.Contains(' ', StringComparison.Ordinal) ? Roff.Arg(title) : title));
        _afterHeading = true;
    }

    private void Para()
    {
        if (!_afterHeading)
        {
            L(".PP");
        }
    }

    private static string E(string text) => Roff.Escape(text);

    // ---- Sections ----------------------------------------------------------------------------

    private void Header()
    {
        var date = options.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        L($".\\\" Man page of the {E(ResourceType)} resource agent ({E(options.Source)}).");
        L(".\\\" Generated from the agent's meta-data by packaging/mangen; do not edit.");
        L($".TH {Roff.Arg(PageName.ToUpperInvariant())} 7 {date} {Roff.Arg(options.Source)} \"OCF resource agents\"");
        // No hyphenation, ragged right: the text is full of parameter names and paths.
        L(".nh");
        L(".ad l");
    }

    private void Name()
    {
        var shortDesc = TextBlocks.Collapse(md.ShortDesc).TrimEnd('.');
        if (shortDesc.Length == 0)
        {
            shortDesc = $"OCF resource agent {md.Name}";
        }

        Section("NAME");
        // "name \- text", as lexgrog (whatis, apropos) expects.
        T($"{E(PageName)} \\- {E(shortDesc)}");
    }

    private void Synopsis()
    {
        Section("SYNOPSIS");
        var names = md.Actions.Select(a => a.Name).Distinct(StringComparer.Ordinal).ToList();
        var synopsis = Roff.Bold(md.Name);
        if (names.Count > 0)
        {
            synopsis += " [" + string.Join(" | ", names.Select(E)) + "]";
        }

        T(synopsis);
    }

    private void Description()
    {
        Section("DESCRIPTION");
        var blocks = TextBlocks.Parse(md.LongDesc);
        if (blocks.Count == 0)
        {
            blocks = TextBlocks.Parse(md.ShortDesc);
        }

        WriteBlocks(blocks);

        if (options.Replaces is { Length: > 0 } replaces)
        {
            Para();
            T($"This agent is a drop\\-in replacement for {Roff.Bold(replaces)}: it takes the same " +
              $"parameters, so an existing resource can be switched to {Roff.Bold(ResourceType)} " +
              "by changing only the provider.");
        }

        if (md.SupportsMigration)
        {
            Para();
            T(@"This resource agent supports \fIlive migration\fR. For Pacemaker, set the " +
              @"\fBallow\-migrate=true\fR meta attribute on the resource to enable it.");
        }

        if (md.IsPromotable)
        {
            Para();
            T(@"This resource agent supports \fIpromotion\fR: configure it as a promotable clone " +
              "(see the examples below).");
        }

        Para();
        T($"The agent is installed as {Roff.Bold($"/usr/lib/ocf/resource.d/{options.Provider}/{md.Name}")}. " +
          "The cluster resource manager runs it with the action as its only argument and the " +
          @"parameters in the environment as \fBOCF_RESKEY_\fR\fIname\fR variables.");
    }

    private void Parameters()
    {
        Section("SUPPORTED PARAMETERS");
        if (md.Parameters.Count == 0)
        {
            T("This resource agent does not support any parameters.");
            return;
        }

        foreach (var p in md.Parameters)
        {
            Para();
            L(Roff.Bold(p.Name));
            L(".RS 4");
            var shortDesc = TextBlocks.Collapse(p.ShortDesc);
            var longBlocks = TextBlocks.Parse(p.LongDesc);
            var wroteText = false;
            if (shortDesc.Length > 0 && !SameText(shortDesc, TextBlocks.Collapse(p.LongDesc)))
            {
                T(Roff.Italic(shortDesc));
                wroteText = true;
            }

            if (longBlocks.Count > 0)
            {
                WriteBlocks(longBlocks, continuing: !wroteText);
                wroteText = true;
            }
            else if (!wroteText && shortDesc.Length > 0)
            {
                Text(shortDesc);
                wroteText = true;
            }

            if (wroteText)
            {
                // .PP (not .sp): it also ends the indentation of a list.
                L(".PP");
            }

            Text("(" + string.Join(", ", ParameterFacts(p)) + ")");
            L(".RE");
        }
    }

    private static IEnumerable<string> ParameterFacts(AgentParameter p)
    {
        if (p.Deprecated)
        {
            yield return p.ReplacedWith is { } r ? $"deprecated, use {r} instead" : "deprecated";
        }

        if (p.Unique)
        {
            yield return "unique";
        }

        yield return p.Required ? "required" : "optional";
        if (p.Reloadable)
        {
            yield return "reloadable";
        }

        yield return p.Options.Count > 0 ? $"{p.Type}: {string.Join(" | ", p.Options)}" : p.Type;
        yield return p.Default is { } d ? $"default \"{d}\"" : "no default";
    }

    private void Actions()
    {
        Section("SUPPORTED ACTIONS");
        if (md.Actions.Count == 0)
        {
            T("This resource agent does not advertise any actions.");
            return;
        }

        T("This resource agent supports the following actions (operations):");
        foreach (var a in md.Actions)
        {
            Para();
            L(Roff.Bold(a.Name) + (a.Role is { } role ? " (" + E(role) + " role)" : ""));
            L(".RS 4");
            var sentences = new List<string>();
            if (ActionPurpose(a.Name) is { } purpose)
            {
                sentences.Add(purpose);
            }

            if (a.Timeout is { } t)
            {
                sentences.Add($"Suggested minimum timeout: {Duration(t)}.");
            }

            if (a.Interval is { } i)
            {
                sentences.Add($"Suggested interval: {Duration(i)}.");
            }

            if (a.Depth is { } depth)
            {
                sentences.Add($"Check depth (OCF_CHECK_LEVEL): {depth}.");
            }

            if (sentences.Count == 0)
            {
                sentences.Add("No timeout is suggested.");
            }

            Text(string.Join(" ", sentences));
            L(".RE");
        }
    }

    private static string? ActionPurpose(string action) => action switch
    {
        "start" => "Starts the resource.",
        "stop" => "Stops the resource.",
        "monitor" => "Checks the state of the resource.",
        "status" => "Checks whether the resource is running (legacy alias of monitor).",
        "promote" => "Promotes the resource instance to the promoted role.",
        "demote" => "Demotes the resource instance to the unpromoted role.",
        "notify" => "Receives pre- and post-notifications of other clone instances' actions.",
        "migrate_to" => "Migrates the resource to another node (run on the source node).",
        "migrate_from" => "Completes a migration of the resource to this node (run on the target node).",
        "reload" => "Applies changed reloadable parameters without a restart.",
        "reload-agent" => "Applies changed reloadable parameters to the agent without touching the resource.",
        "validate-all" => "Validates the resource configuration.",
        "meta-data" => "Prints the agent's meta-data (internal use only).",
        "methods" => "Lists the supported actions.",
        "usage" => "Prints a usage summary.",
        _ => null,
    };

    private void ExampleCrmShell()
    {
        Section("EXAMPLE CRM SHELL");
        T($"The following is an example configuration of a resource of the {E(md.Name)} agent " +
          @"using the \fBcrm\fR(8) shell:");

        // Example lines are built from escaped roff, so that placeholders can be in italics.
        var lines = new List<string> { E($"primitive p_{md.Name} {ResourceType}") };
        var required = md.Parameters.Where(p => p.Required && !p.Deprecated).ToList();
        for (var n = 0; n < required.Count; n++)
        {
            lines.Add(E(n == 0 ? "  params " : "         ") + E(required[n].Name + "=") + ExampleValue(required[n], quoted: true));
        }

        if (md.SupportsMigration)
        {
            lines.Add(E("  meta allow-migrate=\"true\""));
        }

        foreach (var a in ExampleOps())
        {
            lines.Add(E($"  op {a.Name} " + string.Join(" ", OpAttributes(a).Select(kv => $"{kv.Key}=\"{kv.Value}\""))));
        }

        WriteExample(lines);

        if (md.IsPromotable)
        {
            WriteExample([
                E($"clone ms_{md.Name} p_{md.Name}"),
                E("  meta promotable=\"true\" notify=\"true\" interleave=\"true\""),
            ]);
        }
    }

    private void ExamplePcs()
    {
        Section("EXAMPLE PCS");
        T(@"The same resource created with \fBpcs\fR(8):");
        var lines = new List<string> { E($"pcs resource create p_{md.Name} {ResourceType}") };
        foreach (var p in md.Parameters.Where(p => p.Required && !p.Deprecated))
        {
            lines.Add(E($"  {p.Name}=") + ExampleValue(p, quoted: false));
        }

        var first = true;
        foreach (var a in ExampleOps())
        {
            // pcs takes one "op" keyword followed by any number of operations.
            lines.Add(E((first ? "  op " : "     ") + a.Name + " " + string.Join(" ", OpAttributes(a).Select(kv => $"{kv.Key}={kv.Value}"))));
            first = false;
        }

        if (md.SupportsMigration)
        {
            lines.Add(E("  meta allow-migrate=true"));
        }

        if (md.IsPromotable)
        {
            lines.Add(E("  promotable notify=true interleave=true"));
        }

        WriteExample(lines);
    }

    private static IEnumerable<KeyValuePair<string, string>> OpAttributes(AgentAction a)
    {
        if (a.Interval is { } i)
        {
            yield return new("interval", Duration(i));
        }

        if (a.Timeout is { } t)
        {
            yield return new("timeout", Duration(t));
        }

        if (a.Role is { } r)
        {
            yield return new("role", r);
        }

        // Depth 0 is what the cluster uses anyway; only a deeper check needs saying.
        if (a.Depth is { } d && d != "0")
        {
            yield return new("OCF_CHECK_LEVEL", d);
        }
    }

    /// <summary>Monitor operations, and other operations whose suggested timeout is above Pacemaker's default.</summary>
    private IEnumerable<AgentAction> ExampleOps()
    {
        foreach (var a in md.Actions)
        {
            if (a.Name == "monitor")
            {
                yield return a;
            }
            else if (ExampleTimedOps.Contains(a.Name) && a.Timeout is { } t && Seconds(t) is > PacemakerDefaultTimeoutSeconds)
            {
                yield return a with { Interval = "0s", Depth = null, Role = null };
            }
        }
    }

    /// <summary>
    /// A sample value for a required parameter in the examples (escaped roff): its default, or
    /// its type (or choices) in italics as a placeholder.
    /// </summary>
    private static string ExampleValue(AgentParameter p, bool quoted)
    {
        if (p.Default is { } d)
        {
            return E(quoted || NeedsShellQuotes(d) ? $"\"{d}\"" : d);
        }

        var placeholder = Roff.Italic(p.Options.Count > 0 ? string.Join("|", p.Options) : p.Type);
        return quoted ? "\"" + placeholder + "\"" : placeholder;
    }

    private static bool NeedsShellQuotes(string value) =>
        value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || "\"'\\$`;&|<>()*?[]{}#~!".Contains(c, StringComparison.Ordinal));

    /// <summary>An example: indented, unfilled lines (escaped roff) joined with continuation backslashes.</summary>
    private void WriteExample(IReadOnlyList<string> roffLines)
    {
        Para();
        L(".RS 4");
        L(".nf");
        for (var n = 0; n < roffLines.Count; n++)
        {
            L(Roff.Protect(roffLines[n] + (n < roffLines.Count - 1 ? @" \e" : "")));
        }

        L(".fi");
        L(".RE");
    }

    private void SeeAlso()
    {
        Section("SEE ALSO");
        var refs = new List<string> { @"\fBcrm\fR(8)", @"\fBpcs\fR(8)", @"\fBcrm_resource\fR(8)", @"\fBocf\-tester\fR(8)" };
        if (options.Replaces is { } replaces && replaces.StartsWith("ocf:heartbeat:", StringComparison.Ordinal))
        {
            refs.Add(Roff.Bold("ocf_heartbeat_" + replaces["ocf:heartbeat:".Length..]) + "(7)");
        }

        T(string.Join(", ", refs));
        Para();
        Text("https://clusterlabs.org/");
        Section("AUTHOR");
        T("HaCluster developers.");
    }

    /// <summary>
    /// Writes longdesc blocks. With <paramref name="continuing"/>, the first block follows the
    /// preceding text without a paragraph break (as after a heading).
    /// </summary>
    private void WriteBlocks(IReadOnlyList<TextBlock> blocks, bool continuing = false)
    {
        var first = true;
        foreach (var block in blocks)
        {
            var breakBefore = !(first && continuing);
            first = false;
            switch (block)
            {
                case Paragraph p:
                    if (breakBefore)
                    {
                        Para();
                    }

                    Text(string.Join(" ", p.Lines));
                    break;
                case ItemList list:
                    for (var n = 0; n < list.Items.Count; n++)
                    {
                        var item = list.Items[n];
                        if (n == 1)
                        {
                            // A compact list: vertical space before the first item only.
                            L(".PD 0");
                        }

                        var numbered = char.IsAsciiDigit(item.Marker[0]);
                        L(numbered ? $".IP {Roff.Arg(item.Marker)} 4" : @".IP \(bu 2");
                        Text(string.Join(" ", item.Lines));
                    }

                    if (list.Items.Count > 1)
                    {
                        L(".PD");
                    }

                    // The next block starts with .PP, which returns to the enclosing left margin.
                    break;
                case Preformatted pre:
                    if (breakBefore)
                    {
                        Para();
                    }

                    L(".RS 4");
                    L(".nf");
                    foreach (var line in pre.Lines)
                    {
                        L(Roff.Line(line));
                    }

                    L(".fi");
                    L(".RE");
                    break;
            }
        }
    }

    private static bool SameText(string a, string b) =>
        string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Shows a bare number of seconds ("240") as "240s", as Pacemaker reads it.</summary>
    private static string Duration(string value)
    {
        var v = value.Trim();
        return v.Length > 0 && v.All(char.IsAsciiDigit) ? v + "s" : v;
    }

    /// <summary>Seconds of an OCF/Pacemaker duration ("90", "90s", "2m", "1min", "1h", "500ms"), or null.</summary>
    private static double? Seconds(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        var digits = 0;
        while (digits < v.Length && char.IsAsciiDigit(v[digits]))
        {
            digits++;
        }

        if (digits == 0 || !double.TryParse(v[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        return v[digits..].Trim() switch
        {
            "" or "s" or "sec" or "secs" or "second" or "seconds" => n,
            "ms" or "msec" or "msecs" => n / 1000,
            "us" or "usec" or "usecs" => n / 1_000_000,
            "m" or "min" or "mins" or "minute" or "minutes" => n * 60,
            "h" or "hr" or "hrs" or "hour" or "hours" => n * 3600,
            _ => null,
        };
    }
}
