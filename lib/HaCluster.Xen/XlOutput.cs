using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Xen;

/// <summary>
/// Parsers of what xl prints, written against the outputs captured from xl 4.17
/// (tests/integration/xen/README.md, "What xl prints"). The table is parsed by columns from the
/// right (the name column is padded to 40 characters but a longer name widens its line, and a name
/// may in principle hold spaces); never the JSON of <c>xl list -l</c>, which has no run state.
/// </summary>
static class XlOutput
{
    /// <summary>The exact text of xl's "no such domain" (printf "%s is an invalid domain identifier (rc=%d)").</summary>
    public const string InvalidDomainText = " is an invalid domain identifier";

    /// <summary>xl's answer for a domain that does not exist: exit 1 and the invalid-identifier message.</summary>
    public static bool IsNoSuchDomain(ProcessResult r) =>
        r.Outcome == ProcessOutcome.Exited && r.ExitCode == 1 && r.Stderr.Contains(InvalidDomainText, StringComparison.Ordinal);

    /// <summary>
    /// The rows of <c>xl list</c> (any number of domains). Lines that are not rows (the header,
    /// blank lines, anything unexpected) are skipped; a row is NAME ID MEM VCPUS STATE TIME.
    /// </summary>
    public static IReadOnlyList<XlDomainRow> ParseList(string stdout)
    {
        var rows = new List<XlDomainRow>();
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.TrimEnd('\r', ' ', '\t');
            if (line.Length == 0 || line.StartsWith("Name ", StringComparison.Ordinal)) continue;
            if (TryParseRow(line, out var row)) rows.Add(row);
        }
        return rows;
    }

    /// <summary>One table row: the last five fields are fixed, the name is everything before them.</summary>
    public static bool TryParseRow(string line, out XlDomainRow row)
    {
        row = null!;
        // Walk five whitespace-separated fields from the right.
        var fields = new string[5];
        int end = line.Length;
        for (int f = 4; f >= 0; f--)
        {
            while (end > 0 && IsBlank(line[end - 1])) end--;
            int start = end;
            while (start > 0 && !IsBlank(line[start - 1])) start--;
            if (start == end) return false;
            fields[f] = line[start..end];
            end = start;
        }
        string name = line[..end].TrimEnd(' ', '\t');
        if (name.Length == 0) return false;
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id)) return false;
        if (!long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long mem)) return false;
        if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int vcpus)) return false;
        if (fields[3].Length != 6 || !IsStateFlags(fields[3])) return false;
        if (!double.TryParse(fields[4], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double time)) return false;
        row = new XlDomainRow(name, id, mem, vcpus, fields[3], time);
        return true;
    }

    static bool IsBlank(char c) => c is ' ' or '\t';

    static bool IsStateFlags(string s)
    {
        const string flags = "rbpscd";
        for (int i = 0; i < 6; i++)
            if (s[i] != '-' && s[i] != flags[i]) return false;
        return true;
    }

    /// <summary><c>xl info</c>: "key   : value" lines (keys left-aligned in a 23-column field).</summary>
    public static IReadOnlyDictionary<string, string> ParseInfo(string stdout)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in stdout.Split('\n'))
        {
            int colon = raw.IndexOf(':');
            if (colon <= 0) continue;
            string key = raw[..colon].Trim();
            if (key.Length == 0 || key.Contains(' ')) continue;
            values.TryAdd(key, raw[(colon + 1)..].Trim());
        }
        return values;
    }

    /// <summary>
    /// How an xl call ended, with its most telling line: the first line naming an error (xl's own
    /// progress lines, "Parsing config from …", come first and say nothing), else its last line.
    /// </summary>
    public static string Describe(ProcessResult r)
    {
        string how = r.Outcome switch
        {
            ProcessOutcome.Exited => $"exited with status {r.ExitCode}",
            ProcessOutcome.Signaled => $"was killed by signal {r.Signal}",
            ProcessOutcome.TimedOut => $"did not finish within {r.Elapsed.TotalSeconds:0.#} s and was killed",
            _ => "is not installed",
        };
        string? line = TellingLine(r.Stderr) ?? TellingLine(r.Stdout);
        if (line is null) return how;
        if (line.Length > 240) line = line[..240] + "…";
        return $"{how}: {SafeText.OneLine(line)}";
    }

    static string? TellingLine(string text)
    {
        string? last = null;
        foreach (var raw in text.Split('\n'))
        {
            // xl save/migrate progress is joined by carriage returns: keep the last part.
            var line = raw.Split('\r')[^1].Trim();
            if (line.Length == 0) continue;
            if (line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("failed", StringComparison.OrdinalIgnoreCase)
                || line.Contains(InvalidDomainText, StringComparison.Ordinal) || line.StartsWith("Failed", StringComparison.Ordinal))
                return line;
            last = line;
        }
        return last;
    }
}
