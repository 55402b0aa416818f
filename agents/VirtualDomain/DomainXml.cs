using System.Globalization;
using System.Text;
using HaCluster.Core;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// A strict reader of the XML 1.0 a libvirt domain definition is written in: elements,
/// attributes, text, the five predefined entities and character references, comments, CDATA and
/// processing instructions; a document type declaration is refused (no DTDs, no external
/// entities). It reports each element, in document order of their ends, with its depth, its
/// attributes and its own text.
/// </summary>
/// <remarks>
/// Hand-written on purpose: System.Xml's XmlReader links 6.7 MB of code into the executable and
/// costs every process start — every monitor — 0.8 ms of CPU and 240 page faults (meta-data,
/// interleaved hyperfine runs), a sixth of the whole monitor. What the agent reads of a domain
/// XML is its name, its emulator and the pools and networks it names.
/// </remarks>
public static class DomainXml
{
    /// <summary>One element, reported when its end tag has been read.</summary>
    public sealed record Element(string Name, int Depth, IReadOnlyDictionary<string, string> Attributes, string Text);

    /// <summary>Nesting deeper than any domain XML: a bound against stack exhaustion by hostile input.</summary>
    public const int MaxDepth = 64;

    /// <summary>Reads <paramref name="xml"/>; throws <see cref="DomainXmlException"/> saying where it is not well-formed.</summary>
    public static void Read(string xml, Action<Element> onElement)
    {
        var reader = new Reader(xml, onElement);
        reader.Document();
    }

    sealed class Reader(string s, Action<Element> onElement)
    {
        int pos;

        public void Document()
        {
            if (pos < s.Length && s[pos] == '\uFEFF') pos++;
            Misc();
            if (pos >= s.Length || s[pos] != '<') throw Error("there is no root element");
            Element(0);
            Misc();
            if (pos < s.Length) throw Error("there is content after the root element");
        }

        /// <summary>White space, comments and processing instructions outside the root element.</summary>
        void Misc()
        {
            while (true)
            {
                SkipSpace();
                if (At("<?")) SkipPast("?>", "processing instruction");
                else if (At("<!--")) SkipPast("-->", "comment");
                else if (At("<!")) throw Error("document type declarations are not accepted");
                else return;
            }
        }

        void Element(int depth)
        {
            if (depth >= MaxDepth) throw Error($"elements are nested deeper than {MaxDepth}");
            pos++; // '<'
            string name = Name();
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            while (true)
            {
                bool spaced = SkipSpace();
                if (At("/>"))
                {
                    pos += 2;
                    onElement(new Element(name, depth, attributes, ""));
                    return;
                }
                if (At(">")) { pos++; break; }
                if (!spaced) throw Error($"white space is missing in the start tag of <{name}>");
                string attribute = Name();
                SkipSpace();
                Expect('=');
                SkipSpace();
                if (pos >= s.Length || s[pos] is not ('"' or '\'')) throw Error($"the value of attribute '{attribute}' is not quoted");
                char quote = s[pos++];
                var value = new StringBuilder();
                while (true)
                {
                    if (pos >= s.Length) throw Error($"the value of attribute '{attribute}' does not end");
                    char c = s[pos];
                    if (c == quote) { pos++; break; }
                    if (c == '<') throw Error($"'<' in the value of attribute '{attribute}'");
                    if (c == '&') value.Append(Reference());
                    else { value.Append(c); pos++; }
                }
                if (!attributes.TryAdd(attribute, value.ToString())) throw Error($"attribute '{attribute}' appears twice in <{name}>");
            }

            var text = new StringBuilder();
            while (true)
            {
                if (pos >= s.Length) throw Error($"<{name}> is not closed");
                if (At("</"))
                {
                    pos += 2;
                    string end = Name();
                    if (end != name) throw Error($"</{end}> closes <{name}>");
                    SkipSpace();
                    Expect('>');
                    onElement(new Element(name, depth, attributes, text.ToString()));
                    return;
                }
                if (At("<!--")) SkipPast("-->", "comment");
                else if (At("<![CDATA["))
                {
                    int start = pos + 9, close = s.IndexOf("]]>", start, StringComparison.Ordinal);
                    if (close < 0) throw Error("a CDATA section does not end");
                    text.Append(s, start, close - start);
                    pos = close + 3;
                }
                else if (At("<?")) SkipPast("?>", "processing instruction");
                else if (At("<!")) throw Error("a declaration inside an element");
                else if (s[pos] == '<') Element(depth + 1);
                else if (s[pos] == '&') text.Append(Reference());
                else text.Append(s[pos++]);
            }
        }

        string Name()
        {
            int start = pos;
            while (pos < s.Length && IsNameChar(s[pos], pos == start)) pos++;
            if (pos == start) throw Error("a name is expected");
            return s[start..pos];
        }

        static bool IsNameChar(char c, bool first) =>
            char.IsLetter(c) || c is '_' or ':' || (!first && (char.IsDigit(c) || c is '-' or '.'));

        /// <summary>An entity or character reference at <see cref="pos"/> ('&amp;'), decoded.</summary>
        string Reference()
        {
            int semicolon = s.IndexOf(';', pos);
            if (semicolon < 0 || semicolon - pos > 12) throw Error("'&' starts no reference");
            string body = s[(pos + 1)..semicolon];
            pos = semicolon + 1;
            switch (body)
            {
                case "lt": return "<";
                case "gt": return ">";
                case "amp": return "&";
                case "quot": return "\"";
                case "apos": return "'";
            }
            if (body.StartsWith('#'))
            {
                bool hex = body.StartsWith("#x", StringComparison.Ordinal);
                string digits = body[(hex ? 2 : 1)..];
                if (digits.Length > 0 && int.TryParse(digits, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out int code)
                    && code is > 0 and <= 0x10FFFF && code is not (>= 0xD800 and <= 0xDFFF))
                    return char.ConvertFromUtf32(code);
                throw Error($"&{body}; is not a character");
            }
            throw Error($"&{body}; is not defined (documents may use only the predefined entities)");
        }

        bool At(string token) => string.CompareOrdinal(s, pos, token, 0, token.Length) == 0;

        void Expect(char c)
        {
            if (pos >= s.Length || s[pos] != c) throw Error($"'{c}' is expected");
            pos++;
        }

        bool SkipSpace()
        {
            int start = pos;
            while (pos < s.Length && s[pos] is ' ' or '\t' or '\r' or '\n') pos++;
            return pos > start;
        }

        void SkipPast(string end, string what)
        {
            int at = s.IndexOf(end, pos + 2, StringComparison.Ordinal);
            if (at < 0) throw Error($"a {what} does not end");
            pos = at + end.Length;
        }

        DomainXmlException Error(string what)
        {
            int line = 1, column = 1;
            for (int i = 0; i < pos && i < s.Length; i++)
            {
                if (s[i] == '\n') { line++; column = 1; }
                else column++;
            }
            // Names in the sentence come from the document: bounded, one line.
            return new DomainXmlException($"{SafeText.Bound(SafeText.OneLine(what), 200)}, line {line}, position {column}");
        }
    }
}

/// <summary>A domain XML that is not well-formed: where and why, in a sentence of ours.</summary>
public sealed class DomainXmlException(string message) : FormatException(message);
