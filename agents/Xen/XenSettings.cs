namespace HaCluster.Agents.Xen;

/// <summary>
/// What <see cref="XenAgent.Validate"/> made of the parameters: the values every action of one
/// invocation works with, checked once and immutable after that. (Not "configuration": that word
/// belongs to the domain's own xl configuration file, the xmfile.)
/// </summary>
/// <param name="Domain">The domain name: the name parameter, else the xmfile's name setting, else the resource id.</param>
/// <param name="Xmfile">The xl configuration file of the domain (absolute; read, never written).</param>
/// <param name="ShutdownTimeout">How long the orderly shutdown may take; null for two thirds of the stop timeout.</param>
/// <param name="ShutdownAcpi">Whether stop presses the ACPI power button instead of asking with xl shutdown.</param>
/// <param name="ManageMemory">allow_mem_management: share the host's memory among the running domUs.</param>
/// <param name="ReservedDom0MiB">What memory management keeps for dom0.</param>
/// <param name="NodeIpAttribute">The node attribute holding a migration target's address, or null to use the node name.</param>
/// <param name="AutosetUtilizationCpu">Whether a monitor writes the domain's vCPUs as the cpu utilization.</param>
/// <param name="AutosetUtilizationHvMemory">Whether a monitor writes the domain's memory as the hv_memory utilization.</param>
/// <param name="MonitorScripts">The programs a monitor (and start) runs, one word each.</param>
sealed record XenSettings(
    string Domain,
    string Xmfile,
    TimeSpan? ShutdownTimeout,
    bool ShutdownAcpi,
    bool ManageMemory,
    long ReservedDom0MiB,
    string? NodeIpAttribute,
    bool AutosetUtilizationCpu,
    bool AutosetUtilizationHvMemory,
    IReadOnlyList<string> MonitorScripts);
