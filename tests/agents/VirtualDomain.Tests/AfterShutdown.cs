using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>A connection that changes the daemon once a shutdown was requested.</summary>
public sealed class AfterShutdown(ILibvirtConnection inner, Action then) : ILibvirtConnection
{
    public string Name => inner.Name;
    public bool IsBroken => inner.IsBroken;
    public DomainRef LookupByName(string name, Deadline deadline) => inner.LookupByName(name, deadline);
    public DomainStateInfo GetState(DomainRef domain, Deadline deadline) => inner.GetState(domain, deadline);
    public DomainInfo GetInfo(DomainRef domain, Deadline deadline) => inner.GetInfo(domain, deadline);
    public string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline) => inner.GetXmlDesc(domain, flags, deadline);
    public DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline) => inner.CreateXml(xml, flags, deadline);
    public DomainRef DefineXml(string xml, Deadline deadline) => inner.DefineXml(xml, deadline);
    public void Create(DomainRef domain, Deadline deadline) => inner.Create(domain, deadline);
    public void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline) => inner.Undefine(domain, flags, deadline);
    public bool IsPersistent(DomainRef domain, Deadline deadline) => inner.IsPersistent(domain, deadline);
    public void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline)
    {
        inner.Shutdown(domain, mode, deadline);
        then();
    }
    public void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline) => inner.Destroy(domain, flags, deadline);
    public void Save(DomainRef domain, string toPath, Deadline deadline) => inner.Save(domain, toPath, deadline);
    public void Restore(string fromPath, Deadline deadline) => inner.Restore(fromPath, deadline);
    public DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline) => inner.GetJobInfo(domain, deadline);
    public void AbortJob(DomainRef domain, Deadline deadline) => inner.AbortJob(domain, deadline);
    public void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline) => inner.MigratePeerToPeer(domain, destinationUri, parameters, flags, deadline);
    public void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline) => inner.MigrateSetMaxDowntime(domain, downtimeMs, deadline);
    public NamedObjectRef NetworkLookupByName(string name, Deadline deadline) => inner.NetworkLookupByName(name, deadline);
    public void NetworkCreate(NamedObjectRef network, Deadline deadline) => inner.NetworkCreate(network, deadline);
    public bool NetworkIsActive(NamedObjectRef network, Deadline deadline) => inner.NetworkIsActive(network, deadline);
    public NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline) => inner.StoragePoolLookupByName(name, deadline);
    public void StoragePoolCreate(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolCreate(pool, deadline);
    public void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolRefresh(pool, deadline);
    public bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolIsActive(pool, deadline);
    public void Close(Deadline deadline) => inner.Close(deadline);
    public void Dispose() => inner.Dispose();
}
