using System.Globalization;
using HaCluster.ManGen;

// hacluster-mangen: OCF resource agent meta-data (stdin) -> section 7 man page (stdout).
//
//   HaCluster.ManGen [--provider NAME] [--source TEXT] [--date YYYY-MM-DD]
//                    [--replaces CLASS:PROVIDER:TYPE | --no-replaces] [--expect-name AGENT]
//
// The date defaults to SOURCE_DATE_EPOCH (reproducible builds), else today (UTC).
// Exit codes: 0 success, 1 unusable meta-data, 2 bad command line.

const string Usage =
    "usage: HaCluster.ManGen [--provider NAME] [--source TEXT] [--date YYYY-MM-DD] " +
    "[--replaces CLASS:PROVIDER:TYPE | --no-replaces] [--expect-name AGENT] < meta-data.xml > page.7";

var provider = "hacluster";
var source = "hacluster-agents";
DateOnly? date = null;
string? replaces = null;
var replacesGiven = false;
string? expectName = null;

for (var i = 0; i < args.Length; i++)
{
    string Next()
    {
        if (i + 1 >= args.Length)
        {
            Console.Error.WriteLine($"mangen: {args[i]} needs a value\n{Usage}");
            Environment.Exit(2);
        }

        return args[++i];
    }

    switch (args[i])
    {
        case "--provider":
            provider = Next();
            break;
        case "--source":
            source = Next();
            break;
        case "--date":
            var text = Next();
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                Console.Error.WriteLine($"mangen: bad --date '{text}' (want YYYY-MM-DD)");
                return 2;
            }

            date = d;
            break;
        case "--replaces":
            replaces = Next();
            replacesGiven = true;
            break;
        case "--no-replaces":
            replaces = null;
            replacesGiven = true;
            break;
        case "--expect-name":
            expectName = Next();
            break;
        case "-h":
        case "--help":
            Console.Out.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"mangen: unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}

if (provider.Length == 0 || provider.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
{
    Console.Error.WriteLine($"mangen: bad provider name '{provider}'");
    return 2;
}

date ??= DefaultDate();

AgentMetaData md;
try
{
    Console.InputEncoding = System.Text.Encoding.UTF8;
    md = AgentMetaData.Parse(Console.In);
}
catch (Exception e) when (e is System.Xml.XmlException or FormatException)
{
    Console.Error.WriteLine($"mangen: cannot use the meta-data: {e.Message}");
    return 1;
}

if (expectName is not null && md.Name != expectName)
{
    Console.Error.WriteLine($"mangen: meta-data names the agent '{md.Name}', expected '{expectName}'");
    return 1;
}

if (!replacesGiven)
{
    replaces = KnownReplacements.For(md.Name);
}

var page = new ManPage(md, new ManPageOptions(provider, source, date.Value, replaces)).Render();
using (var stdout = Console.OpenStandardOutput())
{
    // UTF-8 without BOM; Roff escapes all non-ASCII text, so the page is plain ASCII anyway.
    var bytes = new System.Text.UTF8Encoding(false).GetBytes(page);
    stdout.Write(bytes);
}

return 0;

static DateOnly DefaultDate()
{
    var sde = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
    if (long.TryParse(sde, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
    {
        return DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime);
    }

    return DateOnly.FromDateTime(DateTime.UtcNow);
}
