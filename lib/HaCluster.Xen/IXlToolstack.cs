using HaCluster.Core;

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
