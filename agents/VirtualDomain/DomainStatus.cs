using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>The domain as libvirt sees it: its reference (null when there is none) and state.</summary>
readonly record struct DomainStatus(DomainRef? Domain, DomainState State, bool Exists)
{
    /// <summary>
    /// Running as far as the cluster is concerned. NOSTATE (a domain being set up, e.g. an
    /// incoming migration) and states unknown to this agent count as running: the domain exists
    /// and has not stopped.
    /// </summary>
    public bool Running => Exists && State is not (DomainState.Shutoff or DomainState.Crashed);
}
