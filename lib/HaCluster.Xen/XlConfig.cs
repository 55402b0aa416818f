using System.Globalization;
using System.Text;
using HaCluster.Core;
using HaCluster.Core.Files;

namespace HaCluster.Xen;

/// <summary>
/// An xl domain configuration file (xl.cfg(5)), parsed with xl's own syntax (libxlu): settings
/// <c>key = value</c> ended by a line break or ';', values a "string" or 'string' with C escapes,
/// a number, or a [list] that may span lines; '#' starts a comment. A key set twice keeps its last
/// value, as xl does. Only read: the agent never writes the file.
/// </summary>
public sealed class XlConfig
{
    readonly Dictionary<string, XlValue> settings;

    XlConfig(Dictionary<string, XlValue> settings) => this.settings = settings;

    public IReadOnlyDictionary<string, XlValue> Settings => settings;

    /// <summary>A setting's string value (a number counts as its text), or null when unset or a list.</summary>
    public string? String(string key) => settings.TryGetValue(key, out var v) && v.List is null ? v.Text : null;

    /// <summary>The domain name (<c>name = "…"</c>), or null.</summary>
    public string? Name => String("name");

    /// <summary>The guest type as xl derives it: <c>type</c>, else the old <c>builder</c> ("hvm" means HVM), else PV.</summary>
    public string GuestType
    {
        get
        {
            if (String("type") is { Length: > 0 } type) return type.ToLowerInvariant();
            if (String("builder") is { } builder && builder.Equals("hvm", StringComparison.OrdinalIgnoreCase)) return "hvm";
            return "pv";
        }
    }

    /// <summary><c>memory</c> in MiB, or null.</summary>
    public long? MemoryMiB => long.TryParse(String("memory"), NumberStyles.None, CultureInfo.InvariantCulture, out long m) ? m : null;

    /// <summary>Files larger than this are not domain configurations (xmfile=/dev/zero must not exhaust the heap).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>
    /// Lists nested deeper than this are refused: xl's configurations nest two levels at most,
    /// and a file of 100 000 '[' must be a syntax error, not the end of the stack.
    /// </summary>
    public const int MaxNesting = 32;

    /// <summary>
    /// Reads (through <see cref="BoundedFile"/>: a regular file only, never blocking on a FIFO,
    /// at most <see cref="MaxFileBytes"/>, within <paramref name="deadline"/>) and parses a file.
    /// Throws <see cref="FileException"/> when it cannot be read, <see cref="XlConfigException"/>
    /// on a syntax error.
    /// </summary>
    public static XlConfig Load(string path, Deadline deadline) =>
        Parse(BoundedFile.ReadAllText(path, deadline, MaxFileBytes), path);

    public static XlConfig Parse(string text, string source = "config")
    {
        var parser = new Parser(text, source);
        return new XlConfig(parser.File());
    }

    /// <summary>
    /// A <c>key="value"</c> argument for the xl create command line, which xl parses with the same
    /// syntax as the file: the value is quoted and escaped so it stays one literal string.
    /// </summary>
    public static string Setting(string key, string value)
    {
        var sb = new StringBuilder(key.Length + value.Length + 3).Append(key).Append("=\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A number setting for the xl create command line (<c>memory=512</c>).</summary>
    public static string Setting(string key, long value) => key + "=" + value.ToString(CultureInfo.InvariantCulture);

    sealed class Parser(string text, string source)
    {
        int pos;
        int line = 1;

        public Dictionary<string, XlValue> File()
        {
            var result = new Dictionary<string, XlValue>(StringComparer.Ordinal);
            while (true)
            {
                SkipBlanks();
                if (pos >= text.Length) return result;
                char c = text[pos];
                if (c == '\n') { pos++; line++; continue; }
                if (c == ';') { pos++; continue; }
                string key = Ident();
                SkipBlanks();
                bool append = false;
                if (Peek("+=")) { pos += 2; append = true; }
                else if (Peek("=")) pos++;
                else throw Error($"expected '=' after {key}");
                SkipBlanks();
                var value = Value();
                // Appending in place keeps a file of many "key += [...]" lines linear.
                if (append && result.TryGetValue(key, out var old) && old.List is List<XlValue> oldItems)
                    oldItems.AddRange(value.List ?? [value]);
                else
                    result[key] = value;
                SkipBlanks();
                if (pos < text.Length)
                {
                    if (text[pos] == '\n') { pos++; line++; }
                    else if (text[pos] == ';') pos++;
                    else throw Error("expected the end of the line or ';'");
                }
            }
        }

        XlValue Value(int depth = 0)
        {
            if (pos >= text.Length) throw Error("a value is missing");
            char c = text[pos];
            if (c == '[')
            {
                if (depth >= MaxNesting) throw Error($"lists nested deeper than {MaxNesting} levels");
                pos++;
                var items = new List<XlValue>();
                while (true)
                {
                    SkipBlanksAndNewlines();
                    if (pos >= text.Length) throw Error("unterminated list");
                    if (text[pos] == ']') { pos++; return new XlValue(null, items); }
                    items.Add(Value(depth + 1));
                    SkipBlanksAndNewlines();
                    if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                    if (pos < text.Length && text[pos] == ']') { pos++; return new XlValue(null, items); }
                    throw Error("expected ',' or ']' in a list");
                }
            }
            if (c is '"' or '\'') return new XlValue(QuotedString(c), null);
            if (c is >= '0' and <= '9')
            {
                int start = pos;
                while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] is >= 'a' and <= 'f' || text[pos] == 'x')) pos++;
                return new XlValue(text[start..pos], null);
            }
            throw Error($"unexpected {Describe(c)}, expecting a string, a number or '['");
        }

        string QuotedString(char quote)
        {
            pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= text.Length || text[pos] == '\n') throw Error("unterminated string");
                char c = text[pos++];
                if (c == quote) return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= text.Length || text[pos] == '\n') throw Error("unterminated string");
                char e = text[pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'a': sb.Append('\a'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case 'x':
                    {
                        int start = pos;
                        while (pos < text.Length && pos - start < 2 && char.IsAsciiHexDigit(text[pos])) pos++;
                        if (pos == start) throw Error("\\x without hex digits");
                        sb.Append((char)int.Parse(text.AsSpan(start, pos - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        break;
                    }
                    case >= '0' and <= '7':
                    {
                        int start = pos - 1;
                        while (pos < text.Length && pos - start < 3 && text[pos] is >= '0' and <= '7') pos++;
                        sb.Append((char)Convert.ToInt32(text.Substring(start, pos - start), 8));
                        break;
                    }
                    default: sb.Append(e); break;
                }
            }
        }

        string Ident()
        {
            int start = pos;
            if (pos < text.Length && text[pos] is >= 'a' and <= 'z')
            {
                pos++;
                while (pos < text.Length && (text[pos] is >= 'a' and <= 'z' or '_' || char.IsAsciiDigit(text[pos]))) pos++;
                return text[start..pos];
            }
            throw Error(pos < text.Length ? $"unexpected {Describe(text[pos])}, expecting a setting name" : "unexpected end");
        }

        bool Peek(string s) => string.CompareOrdinal(text, pos, s, 0, s.Length) == 0;

        void SkipBlanks()
        {
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c is ' ' or '\t' or '\r') pos++;
                else if (c == '#') { while (pos < text.Length && text[pos] != '\n') pos++; }
                else break;
            }
        }

        void SkipBlanksAndNewlines()
        {
            while (true)
            {
                SkipBlanks();
                if (pos < text.Length && text[pos] == '\n') { pos++; line++; continue; }
                return;
            }
        }

        static string Describe(char c) => c < 0x20 || c == 0x7f ? $"character 0x{(int)c:x2}" : $"'{c}'";

        XlConfigException Error(string what) => new($"{source}:{line}: {what}");
    }
}

/// <summary>A setting's value: text (a string or a number) or a list.</summary>
public sealed record XlValue(string? Text, IReadOnlyList<XlValue>? List);

/// <summary>The file is not valid xl configuration syntax.</summary>
public sealed class XlConfigException(string message) : Exception(message);
