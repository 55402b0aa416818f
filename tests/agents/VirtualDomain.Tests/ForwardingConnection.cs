using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// A connection that passes every call on to another: a test overrides only the calls it makes
/// behave differently, and the rest reach the fake daemon as they would.
/// </summary>
public abstract class ForwardingConnection(ILibvirtConnection inner) : ILibvirtConnection
{
    public virtual string Name => inner.Name;
    public virtual bool IsBroken => inner.IsBroken;
    public virtual DomainRef LookupByName(string name, Deadline deadline) => inner.LookupByName(name, deadline);
    public virtual DomainStateInfo GetState(DomainRef domain, Deadline deadline) => inner.GetState(domain, deadline);
    public virtual DomainInfo GetInfo(DomainRef domain, Deadline deadline) => inner.GetInfo(domain, deadline);
    public virtual string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline) => inner.GetXmlDesc(domain, flags, deadline);
    public virtual DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline) => inner.CreateXml(xml, flags, deadline);
    public virtual DomainRef DefineXml(string xml, Deadline deadline) => inner.DefineXml(xml, deadline);
    public virtual void Create(DomainRef domain, Deadline deadline) => inner.Create(domain, deadline);
    public virtual void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline) => inner.Undefine(domain, flags, deadline);
    public virtual bool IsPersistent(DomainRef domain, Deadline deadline) => inner.IsPersistent(domain, deadline);
    public virtual void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline) => inner.Shutdown(domain, mode, deadline);
    public virtual void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline) => inner.Destroy(domain, flags, deadline);
    public virtual void Save(DomainRef domain, string toPath, Deadline deadline) => inner.Save(domain, toPath, deadline);
    public virtual void Restore(string fromPath, Deadline deadline) => inner.Restore(fromPath, deadline);
    public virtual DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline) => inner.GetJobInfo(domain, deadline);
    public virtual void AbortJob(DomainRef domain, Deadline deadline) => inner.AbortJob(domain, deadline);
    public virtual void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline) => inner.MigratePeerToPeer(domain, destinationUri, parameters, flags, deadline);
    public virtual void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline) => inner.MigrateSetMaxDowntime(domain, downtimeMs, deadline);
    public virtual NamedObjectRef NetworkLookupByName(string name, Deadline deadline) => inner.NetworkLookupByName(name, deadline);
    public virtual void NetworkCreate(NamedObjectRef network, Deadline deadline) => inner.NetworkCreate(network, deadline);
    public virtual bool NetworkIsActive(NamedObjectRef network, Deadline deadline) => inner.NetworkIsActive(network, deadline);
    public virtual NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline) => inner.StoragePoolLookupByName(name, deadline);
    public virtual void StoragePoolCreate(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolCreate(pool, deadline);
    public virtual void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolRefresh(pool, deadline);
    public virtual bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline) => inner.StoragePoolIsActive(pool, deadline);
    public virtual void Close(Deadline deadline) => inner.Close(deadline);
    public virtual void Dispose() => inner.Dispose();
}
