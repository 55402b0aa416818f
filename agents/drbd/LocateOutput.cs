using System.Text.RegularExpressions;

namespace HaCluster.Agents.Drbd;

/// <summary>What crm_resource --locate prints about a promotable clone.</summary>
public static partial class LocateOutput
{
    /// <summary>
    /// The node of "resource X is running on: NODE Master" (Pacemaker 2.1; "Promoted" accepted
    /// too) other than <paramref name="me"/>, or null when no other node runs it promoted.
    /// </summary>
    public static string? PromotedPeer(string output, string me)
    {
        foreach (var line in output.Split('\n'))
        {
            var m = LocateLine().Match(line.TrimEnd());
            if (m.Success && !string.Equals(m.Groups[1].Value, me, StringComparison.OrdinalIgnoreCase)) return m.Groups[1].Value;
        }
        return null;
    }

    [GeneratedRegex(@"is running on: (\S+) (?:Master|Promoted)$")]
    private static partial Regex LocateLine();
}
