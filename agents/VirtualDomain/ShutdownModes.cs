using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>shutdown_mode: virsh shutdown --mode's comma-separated list, as virDomainShutdownFlags.</summary>
public static class ShutdownModes
{
    public static readonly IReadOnlyList<string> Names = ["acpi", "agent", "initctl", "signal", "paravirt"];

    /// <summary>The flags for <paramref name="list"/> (empty: the hypervisor's choice), or null and the unknown word.</summary>
    public static DomainShutdownMode? Parse(string list, out string? unknown)
    {
        unknown = null;
        var mode = DomainShutdownMode.Default;
        foreach (var word in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (word)
            {
                case "acpi": mode |= DomainShutdownMode.AcpiPowerButton; break;
                case "agent": mode |= DomainShutdownMode.GuestAgent; break;
                case "initctl": mode |= DomainShutdownMode.Initctl; break;
                case "signal": mode |= DomainShutdownMode.Signal; break;
                case "paravirt": mode |= DomainShutdownMode.Paravirt; break;
                default: unknown = word; return null;
            }
        }
        return mode;
    }
}
