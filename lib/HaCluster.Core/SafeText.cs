using System.Text;

namespace HaCluster.Core;

/// <summary>
/// Renders untrusted values (parameter values, tool output, daemon messages) safely inside
/// one-line messages: exit reasons, log lines, exception messages.
/// </summary>
public static class SafeText
{
    /// <summary>
    /// Quotes <paramref name="value"/> for an exit reason or a log line: control characters are
    /// escaped so a hostile value cannot add lines (an exit reason must stay the last line), and a
    /// long value is cut so that a 4 KiB parameter does not become a 4 KiB exit reason.
    /// </summary>
    public static string Quote(string? value, int maxChars = 64)
    {
        if (value is null) return "(unset)";
        var sb = new StringBuilder(Math.Min(value.Length, maxChars) + 8);
        sb.Append('\'');
        int shown = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (shown >= maxChars) break;
            int v = rune.Value;
            if (v == '\n') sb.Append("\\n");
            else if (v == '\r') sb.Append("\\r");
            else if (v == '\t') sb.Append("\\t");
            else if (v == '\'') sb.Append("\\'");
            else if (v == '\\') sb.Append("\\\\");
            else if (v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) || v == 0x2028 || v == 0x2029) sb.Append("\\x").Append(v.ToString("x2"));
            else sb.Append(rune.ToString());
            shown++;
        }
        sb.Append('\'');
        int total = CountRunes(value);
        if (total > shown) sb.Append("… (").Append(total).Append(" characters)");
        return sb.ToString();
    }

    /// <summary>Makes free text one line: line breaks and other control characters become spaces.</summary>
    public static string OneLine(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
            sb.Append(char.IsControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        return sb.ToString().Trim();
    }

    /// <summary>
    /// Cuts <paramref name="text"/> to at most <paramref name="maxChars"/> characters, the cut
    /// marked by an ellipsis (never splitting a surrogate pair).
    /// </summary>
    public static string Bound(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        int keep = Math.Max(0, maxChars - 1);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--;
        return text[..keep] + "…";
    }

    static int CountRunes(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
