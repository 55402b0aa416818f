using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HaCluster.ManGen;

/// <summary>Escaping of arbitrary text for roff (man macros, groff and mandoc).</summary>
internal static partial class Roff
{
    // A private-use character that marks where a line may be broken inside a long word. It is
    // placed before escaping and becomes "\:" afterwards. (Escape drops every other private-use
    // character; one in the input would at worst add a harmless break point.)
    private const char BreakMark = '\uE000';

    /// <summary>
    /// Escapes text so that it prints literally: backslash, hyphen/minus, apostrophe, control and
    /// non-ASCII characters. Does not protect a leading "." (see <see cref="Line"/>).
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case BreakMark:
                    sb.Append(@"\:");
                    break;
                case '\\':
                    sb.Append(@"\e");
                    break;
                case '-':
                    // A literal ASCII hyphen-minus, so that option names, paths and commands can be
                    // copied from the rendered page.
                    sb.Append(@"\-");
                    break;
                case '\'':
                    // Straight apostrophe (a plain ' may render as a typographic quote, and starts
                    // a control line at the beginning of a line).
                    sb.Append(@"\(aq");
                    break;
                case '`':
                    sb.Append(@"\(ga");
                    break;
                case '\t':
                    sb.Append(' ');
                    break;
                case '\n':
                case '\r':
                    sb.Append(' ');
                    break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        // Other control characters have no business in a man page.
                    }
                    else if (c < 0x80)
                    {
                        sb.Append(c);
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        AppendCodePoint(sb, char.ConvertToUtf32(c, text[i + 1]));
                        i++;
                    }
                    else if (char.IsSurrogate(c) || (c >= '\uE000' && c <= '\uF8FF') || c == '\uFEFF')
                    {
                        // Lone surrogates, private-use characters and BOMs are dropped.
                    }
                    else if (c == '\u00A0')
                    {
                        sb.Append(@"\~");
                    }
                    else
                    {
                        AppendCodePoint(sb, c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Escapes one input line of unfilled text: like <see cref="Escape"/>, and a leading "."
    /// (which would make it a request) is protected with the zero-width "\&amp;".
    /// </summary>
    public static string Line(string text) => Protect(Escape(text));

    /// <summary>
    /// Escapes text that groff fills: like <see cref="Escape"/>, and lets groff break words too
    /// long for a line (long paths, URLs) after "/" and similar, so that they do not stick out.
    /// Write the result with <see cref="Wrap"/>.
    /// </summary>
    public static string FilledText(string text) =>
        Escape(LongWordRegex().Replace(text, m => AddBreakPoints(m.Value)));

    /// <summary>
    /// Splits escaped text for fill mode into input lines of at most <paramref name="width"/>
    /// bytes where it can (at spaces, which fill mode treats like line ends), and protects each
    /// line against starting a request. Escape sequences contain no spaces, so none is cut.
    /// </summary>
    public static IEnumerable<string> Wrap(string escaped, int width = 78)
    {
        var words = escaped.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var line = new StringBuilder();
        foreach (var word in words)
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return Protect(line.ToString());
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            yield return Protect(line.ToString());
        }
    }

    /// <summary>Protects an escaped text line whose first character would make it a request.</summary>
    public static string Protect(string escapedLine) =>
        escapedLine.StartsWith('.') || escapedLine.StartsWith('\'') ? @"\&" + escapedLine : escapedLine;

    /// <summary>Bold text, for use inside a text line.</summary>
    public static string Bold(string text) => @"\fB" + Escape(text) + @"\fR";

    /// <summary>Italic text, for use inside a text line.</summary>
    public static string Italic(string text) => @"\fI" + Escape(text) + @"\fR";

    /// <summary>
    /// Quotes a macro argument. Double quotes cannot be escaped inside a quoted man macro
    /// argument portably, so they become \(dq.
    /// </summary>
    public static string Arg(string text) => "\"" + Escape(text).Replace("\"", @"\(dq", StringComparison.Ordinal) + "\"";

    private static void AppendCodePoint(StringBuilder sb, int codePoint) =>
        sb.Append(@"\[u").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture)).Append(']');

    private static string AddBreakPoints(string word)
    {
        var sb = new StringBuilder(word.Length + 8);
        for (var i = 0; i < word.Length; i++)
        {
            sb.Append(word[i]);
            if (word[i] is '/' or ',' or '|' or '&' or '?' or '=' && i > 0 && i < word.Length - 1)
            {
                sb.Append(BreakMark);
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"\S{30,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongWordRegex();
}
