using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// What <see cref="VirtualDomainAgent.Validate"/> made of the parameters and the config file:
/// the values every action of one invocation works with, checked once and immutable after that.
/// A stop whose parameters no longer validate gets one too, with the optional steps off
/// (no snapshot, no saved config, the hypervisor's shutdown mode).
/// </summary>
/// <param name="ConfigFile">The config parameter: the path of the domain XML.</param>
/// <param name="Uri">The hypervisor URI: the parameter, or libvirt's default.</param>
/// <param name="DomainName">The domain this resource is: the config file's, or the one recorded at start.</param>
/// <param name="Domain">What the config file says of the domain; null when it could not be read.</param>
/// <param name="ConfigXml">The config file's text as read (or as last saved back); null when it could not be read.</param>
/// <param name="ConfigProblem">Why the config file could not be read, when the domain is known from the record of an earlier start.</param>
/// <param name="ShutdownMode">shutdown_mode as libvirt flags.</param>
/// <param name="SnapshotDirectory">The snapshot parameter: where the state is saved on stop; empty for none.</param>
/// <param name="SaveConfig">save_config_on_stop or sync_config_on_stop.</param>
sealed record VirtualDomainConfiguration(string ConfigFile, string Uri, string DomainName, DomainConfig? Domain, string? ConfigXml,
    string? ConfigProblem, DomainShutdownMode ShutdownMode, string SnapshotDirectory, bool SaveConfig)
{
    /// <summary>
    /// The snapshot state file. The daemon resolves nothing: a relative snapshot directory is
    /// taken relative to the agent's directory, as libvirt's client library does for virsh save.
    /// </summary>
    public string? StateFile => SnapshotDirectory.Length > 0 ? Path.Combine(Path.GetFullPath(SnapshotDirectory), DomainName + ".state") : null;
}
