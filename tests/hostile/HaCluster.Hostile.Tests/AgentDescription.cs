using System.Globalization;
using System.Xml.Linq;

namespace HaCluster.Hostile.Tests;

/// <summary>What an agent's own meta-data says it takes and does: so a new parameter or action is covered without a change here.</summary>
public sealed record AgentDescription(string Agent, IReadOnlyList<string> Parameters, IReadOnlyList<AdvertisedAction> Actions)
{
    public static AgentDescription Parse(string agent, string metaData)
    {
        var root = XDocument.Parse(metaData).Root ?? throw new InvalidOperationException($"{agent} meta-data has no root element");
        var parameters = root.Element("parameters")?.Elements("parameter")
            .Select(p => (string?)p.Attribute("name") ?? throw new InvalidOperationException($"{agent}: a parameter without a name"))
            .ToList() ?? [];
        var actions = root.Element("actions")?.Elements("action")
            .Select(a => new AdvertisedAction((string)a.Attribute("name")!, ParseDuration((string?)a.Attribute("timeout"))))
            // An action may be listed once per role or depth: run it once.
            .DistinctBy(a => a.Name)
            .ToList() ?? [];
        return new AgentDescription(agent, parameters, actions);
    }

    /// <summary>"20s", "2min", "500ms", "20": Pacemaker's duration words as far as agents use them.</summary>
    static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        string digits = new([.. text.TakeWhile(char.IsAsciiDigit)]);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n)) return null;
        return text[digits.Length..].Trim() switch
        {
            "" or "s" or "sec" => TimeSpan.FromSeconds(n),
            "ms" or "msec" => TimeSpan.FromMilliseconds(n),
            "m" or "min" => TimeSpan.FromMinutes(n),
            "h" or "hr" => TimeSpan.FromHours(n),
            _ => null,
        };
    }
}

/// <summary>An action of the meta-data and the timeout it advertises.</summary>
public sealed record AdvertisedAction(string Name, TimeSpan? Timeout);
