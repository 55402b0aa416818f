using System.Globalization;
using HaCluster.Core;

namespace HaCluster.Agents.Drbd;

/// <summary>The four values of adjust_master_score.</summary>
public sealed record ScoreTable(long OnlyConsistent, long OnlyRemote, long LocalOk, long AsGoodAsItGets)
{
    public static readonly ScoreTable Default = new(0, 10, 1000, 10000);
    public const string DefaultText = "0 10 1000 10000";

    /// <summary>
    /// Four non-negative whole numbers, non-decreasing, separated by blanks; otherwise the
    /// problem (the caller then falls back to the defaults, as ocf:linbit:drbd does).
    /// </summary>
    public static ScoreTable Parse(string text, out string? problem)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        problem = null;
        var values = new List<long>();
        foreach (var w in words)
        {
            if (w.Length > 18 || !w.All(char.IsAsciiDigit)) { problem = $"BAD adjust_master_score value {SafeText.Quote(w, 20)}"; break; }
            long v = long.Parse(w, CultureInfo.InvariantCulture);
            if (values.Count > 0 && v < values[^1]) { problem = $"BAD adjust_master_score value {values[^1]} > {v}"; break; }
            values.Add(v);
        }
        if (problem is null && values.Count != 4) problem = $"Not enough adjust_master_score values ({values.Count} != 4)";
        return problem is null ? new ScoreTable(values[0], values[1], values[2], values[3]) : Default;
    }
}
