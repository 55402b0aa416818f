using System.Globalization;
using HaCluster.Core.Processes;

namespace HaCluster.Xen;

// What the calls of IXlToolstack answer: the process result of each xl call, with the meaning
// xl gives it (no such domain, not installed) and the tables and values it printed, parsed.

/// <summary>One xl call's outcome: the process result and what it means in xl's terms.</summary>
public sealed record XlResult(ProcessResult Process)
{
    public bool Succeeded => Process.Succeeded;

    /// <summary>xl said the domain does not exist (exit 1, "… is an invalid domain identifier (rc=-6)").</summary>
    public bool NoSuchDomain => XlOutput.IsNoSuchDomain(Process);

    /// <summary>xl is not installed (or not executable).</summary>
    public bool NotInstalled => Process.Outcome == ProcessOutcome.NotInstalled;

    /// <summary>How it ended, with xl's most telling error line, for exit reasons.</summary>
    public string Describe() => XlOutput.Describe(Process);
}

public enum XlDomainState { Exists, NoSuchDomain, Failed }

/// <summary>The answer of <c>xl list NAME</c>.</summary>
public sealed record XlListing(XlDomainState State, XlDomainRow? Row, XlResult Result)
{
    public bool Exists => State == XlDomainState.Exists;
}

/// <summary>The answer of <c>xl list</c>: the rows when it succeeded.</summary>
public sealed record XlTable(IReadOnlyList<XlDomainRow> Rows, XlResult Result);

/// <summary>One row of xl's domain table.</summary>
public sealed record XlDomainRow(string Name, int Id, long MemoryMiB, int Vcpus, string State, double CpuSeconds)
{
    /// <summary>The r/b/p/s/c/d flags: running, blocked, paused, shutdown, crashed, dying.</summary>
    public bool Paused => State.Length > 2 && State[2] == 'p';
    public bool Shutdown => State.Length > 3 && State[3] == 's';
    public bool Crashed => State.Length > 4 && State[4] == 'c';
    public bool Dying => State.Length > 5 && State[5] == 'd';
}

/// <summary>The answer of <c>xl info</c>: its key/value lines.</summary>
public sealed record XlInfo(IReadOnlyDictionary<string, string> Values, XlResult Result)
{
    public string? this[string key] => Values.TryGetValue(key, out var v) ? v : null;

    /// <summary>total_memory in MiB, or null when absent or not a number.</summary>
    public long? TotalMemoryMiB => Number("total_memory");
    public long? FreeMemoryMiB => Number("free_memory");

    /// <summary>The words of virt_caps ("pv hvm hap shadow gnttab-v1 …"); empty when xl does not print it.</summary>
    public IReadOnlyList<string> VirtCaps => this["virt_caps"]?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    long? Number(string key) =>
        long.TryParse(this[key], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
}
