using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// The calls of <see cref="LibvirtConnection"/> an agent uses, so that an agent's logic can be
/// tested against a fake daemon. Semantics, errors and deadlines are those of
/// <see cref="LibvirtConnection"/>: daemon errors are <see cref="LibvirtException"/>, an expired
/// deadline is a <see cref="TimeoutException"/> after which the connection is broken.
/// </summary>
public interface ILibvirtConnection : IDisposable
{
    /// <summary>The URI the connection was opened with.</summary>
    string Name { get; }
    /// <summary>Whether a timeout or a transport failure ended this connection.</summary>
    bool IsBroken { get; }

    DomainRef LookupByName(string name, Deadline deadline);
    DomainStateInfo GetState(DomainRef domain, Deadline deadline);
    DomainInfo GetInfo(DomainRef domain, Deadline deadline);
    string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline);
    DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline);
    DomainRef DefineXml(string xml, Deadline deadline);
    void Create(DomainRef domain, Deadline deadline);
    void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline);
    bool IsPersistent(DomainRef domain, Deadline deadline);
    void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline);
    void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline);
    void Save(DomainRef domain, string toPath, Deadline deadline);
    void Restore(string fromPath, Deadline deadline);
    DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline);
    void AbortJob(DomainRef domain, Deadline deadline);
    void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline);
    void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline);

    NamedObjectRef NetworkLookupByName(string name, Deadline deadline);
    void NetworkCreate(NamedObjectRef network, Deadline deadline);
    bool NetworkIsActive(NamedObjectRef network, Deadline deadline);
    NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline);
    void StoragePoolCreate(NamedObjectRef pool, Deadline deadline);
    void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline);
    bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline);

    /// <summary>CONNECT_CLOSE and close; best effort on a broken connection.</summary>
    void Close(Deadline deadline);
}

/// <summary>Opens a connection to <paramref name="uri"/> within <paramref name="deadline"/> (see <see cref="LibvirtConnection.Open(string, Deadline)"/>).</summary>
public delegate ILibvirtConnection LibvirtOpener(string uri, Deadline deadline);
