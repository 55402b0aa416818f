using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Xen;

/// <summary>
/// The calls the Xen agent makes of the xl toolstack. Each is one xl process with an argument
/// array, bounded by a deadline; nothing goes through a shell. The answers keep xl's exit status
/// and streams, because xl's meaning lives in them (tests/integration/xen/README.md, "What xl
/// prints"): only tables go to stdout, every message to stderr, and "is an invalid domain
/// identifier" with exit 1 is the one answer that means "no such domain".
/// </summary>
public interface IXlToolstack
{
    /// <summary>The xl binary that is called.</summary>
    string Path { get; }

    /// <summary><c>xl list NAME</c>: whether the domain exists, and its row of the table when it does.</summary>
    XlListing List(string name, Deadline deadline);

    /// <summary><c>xl list</c>: every domain, Domain-0 first.</summary>
    XlTable ListAll(Deadline deadline);

    /// <summary><c>xl create FILE KEY=VALUE…</c>: the settings override the file's (xl config syntax, quoted by the caller's <see cref="XlConfig.Setting(string, string)"/>).</summary>
    XlResult Create(string configFile, IReadOnlyList<string> settings, Deadline deadline);

    /// <summary><c>xl shutdown [-w] NAME</c>: asks the guest to power off; without wait it returns at once.</summary>
    XlResult Shutdown(string name, bool wait, Deadline deadline);

    /// <summary><c>xl trigger NAME power</c>: the ACPI power button (HVM guests without PV drivers).</summary>
    XlResult TriggerPower(string name, Deadline deadline);

    /// <summary><c>xl destroy NAME</c>: ends the domain at once.</summary>
    XlResult Destroy(string name, Deadline deadline);

    /// <summary><c>xl migrate NAME HOST</c>: live migration over ssh to HOST.</summary>
    XlResult Migrate(string name, string host, Deadline deadline);

    /// <summary><c>xl mem-set NAME MiB</c>: the domain's memory target.</summary>
    XlResult MemSet(string name, long mebibytes, Deadline deadline);

    /// <summary><c>xl info</c>: the hypervisor's facts (total_memory, free_memory, virt_caps, …).</summary>
    XlInfo Info(Deadline deadline);
}

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
        long.TryParse(this[key], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v) ? v : null;
}
