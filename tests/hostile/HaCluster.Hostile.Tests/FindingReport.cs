using System.Text;

namespace HaCluster.Hostile.Tests;

/// <summary>
/// The findings of a table as one text: grouped by what was wrong, each group listing its cases
/// compactly (action, parameter = value) with the details of the first few, so one assertion
/// message says exactly which cases fail and why.
/// </summary>
public static class FindingReport
{
    const int DetailedCases = 3;

    public static string Format(string title, int caseCount, IReadOnlyCollection<Finding> findings)
    {
        int failedCases = findings.Select(f => f.Case).Distinct().Count();
        var sb = new StringBuilder();
        sb.Append(title).Append(": ").Append(failedCases).Append(" of ").Append(caseCount).AppendLine(" cases failed");
        foreach (var group in findings.GroupBy(f => f.Problem.Kind).OrderByDescending(g => g.Count()))
        {
            sb.Append("  ").Append(group.Key).Append(" (").Append(group.Count()).AppendLine("):");
            // One line per action: the labels (parameter=value) that failed it.
            foreach (var byAction in group.GroupBy(f => f.Case.Action).OrderBy(g => g.Key, StringComparer.Ordinal))
                sb.Append("    ").Append(byAction.Key).Append(": ")
                    .AppendLine(string.Join(" ", byAction.Select(f => f.Case.Label).Distinct().Order(StringComparer.Ordinal)));
            foreach (var f in group.OrderBy(f => f.Case.Action, StringComparer.Ordinal).ThenBy(f => f.Case.Label, StringComparer.Ordinal).Take(DetailedCases))
                sb.Append("      e.g. ").Append(f.Case.Action).Append(' ').Append(f.Case.Label).Append(": ").AppendLine(f.Problem.Detail);
        }
        return sb.ToString();
    }
}
