using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>A connection that changes the daemon once a shutdown was requested.</summary>
public sealed class AfterShutdown(ILibvirtConnection inner, Action then) : ForwardingConnection(inner)
{
    public override void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline)
    {
        base.Shutdown(domain, mode, deadline);
        then();
    }
}
