using System.Text.RegularExpressions;

namespace HaCluster.ManGen;

/// <summary>A piece of a longdesc: a paragraph, a list or a preformatted (indented) block.</summary>
internal abstract record TextBlock;

/// <summary>Ordinary text, to be filled.</summary>
internal sealed record Paragraph(IReadOnlyList<string> Lines) : TextBlock;

/// <summary>"- item" / "* item" / "1. item" lines; each item keeps its continuation lines.</summary>
internal sealed record ItemList(IReadOnlyList<ListItem> Items) : TextBlock;

internal sealed record ListItem(string Marker, IReadOnlyList<string> Lines);

/// <summary>A block that is indented relative to the surrounding text: shown as is (examples, commands).</summary>
internal sealed record Preformatted(IReadOnlyList<string> Lines) : TextBlock;

/// <summary>
/// Splits the free text of a shortdesc/longdesc into blocks. Meta-data text is plain text laid
/// out for a terminal: blank lines separate paragraphs, lines starting with "-", "*" or "1."
/// are list items (continued by the lines that follow them), and a paragraph indented as a whole
/// relative to the rest is an example to be shown verbatim.
/// </summary>
internal static partial class TextBlocks
{
    private const int TabWidth = 8;

    public static IReadOnlyList<TextBlock> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace('\r', '\n')
            .Split('\n')
            .Select(l => ExpandTabs(l).TrimEnd())
            .ToList();

        var nonBlank = lines.Where(l => l.Length > 0).ToList();
        if (nonBlank.Count == 0)
        {
            return [];
        }

        var baseIndent = nonBlank.Min(Indent);
        var blocks = new List<TextBlock>();
        var chunk = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                Flush(chunk, baseIndent, blocks);
            }
            else
            {
                chunk.Add(line);
            }
        }

        Flush(chunk, baseIndent, blocks);
        return blocks;
    }

    /// <summary>All the text on one line, whitespace collapsed (for shortdesc and NAME).</summary>
    public static string Collapse(string text) => WhitespaceRegex().Replace(text, " ").Trim();

    private static void Flush(List<string> chunk, int baseIndent, List<TextBlock> blocks)
    {
        if (chunk.Count == 0)
        {
            return;
        }

        var hasListItem = chunk.Any(l => ListMarkerRegex().IsMatch(l));
        var chunkIndent = chunk.Min(Indent);
        if (!hasListItem && chunkIndent >= baseIndent + 2)
        {
            blocks.Add(new Preformatted(chunk.Select(l => l[chunkIndent..]).ToList()));
        }
        else if (hasListItem)
        {
            var intro = new List<string>();
            var items = new List<ListItem>();
            string? marker = null;
            var itemLines = new List<string>();
            foreach (var line in chunk)
            {
                var m = ListMarkerRegex().Match(line);
                if (m.Success)
                {
                    if (marker is not null)
                    {
                        items.Add(new ListItem(marker, itemLines));
                    }

                    marker = m.Groups["marker"].Value;
                    itemLines = [Collapse(line[m.Length..])];
                }
                else if (marker is not null)
                {
                    itemLines.Add(Collapse(line));
                }
                else
                {
                    intro.Add(Collapse(line));
                }
            }

            if (marker is not null)
            {
                items.Add(new ListItem(marker, itemLines));
            }

            if (intro.Count > 0)
            {
                blocks.Add(new Paragraph(intro));
            }

            blocks.Add(new ItemList(items));
        }
        else
        {
            // Filled text: runs of blanks inside a line mean nothing (groff spaces sentences itself).
            blocks.Add(new Paragraph(chunk.Select(Collapse).ToList()));
        }

        chunk.Clear();
    }

    private static int Indent(string line)
    {
        var n = 0;
        while (n < line.Length && line[n] == ' ')
        {
            n++;
        }

        return n;
    }

    private static string ExpandTabs(string line)
    {
        if (!line.Contains('\t', StringComparison.Ordinal))
        {
            return line;
        }

        var sb = new System.Text.StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (c == '\t')
            {
                sb.Append(' ', TabWidth - (sb.Length % TabWidth));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    // "- x", "* x", "• x", "1. x", "2) x"; not "--option" or "-1" (no space after the marker).
    [GeneratedRegex(@"^\s*(?<marker>[-*\u2022]|\d{1,2}[.)])\s+(?=\S)", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarkerRegex();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRegex();
}
