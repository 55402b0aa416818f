using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// The calls of <see cref="LibvirtConnection"/> an agent uses, so that an agent's logic can be
/// tested against a fake daemon. Semantics, errors and deadlines are those of
/// <see cref="LibvirtConnection"/>: daemon errors are <see cref="LibvirtException"/>; an expired
/// deadline is a <see cref="TimeoutException"/>, a lost connection or a message that does not
/// decode a <see cref="LibvirtException"/> with <see cref="LibvirtException.IsConnectionFailure"/>,
/// and after either the connection is broken.
/// </summary>
public interface ILibvirtConnection : IDisposable
{
    /// <summary>The URI the connection was opened with.</summary>
    string Name { get; }
    /// <summary>Whether a timeout or a transport failure ended this connection.</summary>
    bool IsBroken { get; }

    /// <inheritdoc cref="LibvirtConnection.LookupByName(string, Deadline)"/>
    DomainRef LookupByName(string name, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.GetState(DomainRef, Deadline)"/>
    DomainStateInfo GetState(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.GetInfo(DomainRef, Deadline)"/>
    DomainInfo GetInfo(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.GetXmlDesc(DomainRef, DomainXmlFlags, Deadline)"/>
    string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.CreateXml(string, DomainCreateFlags, Deadline)"/>
    DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.DefineXml(string, Deadline)"/>
    DomainRef DefineXml(string xml, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Create(DomainRef, Deadline)"/>
    void Create(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Undefine(DomainRef, DomainUndefineFlags, Deadline)"/>
    void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.IsPersistent(DomainRef, Deadline)"/>
    bool IsPersistent(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Shutdown(DomainRef, DomainShutdownMode, Deadline)"/>
    void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Destroy(DomainRef, DomainDestroyFlags, Deadline)"/>
    void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Save(DomainRef, string, Deadline)"/>
    void Save(DomainRef domain, string toPath, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.Restore(string, Deadline)"/>
    void Restore(string fromPath, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.GetJobInfo(DomainRef, Deadline)"/>
    DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.AbortJob(DomainRef, Deadline)"/>
    void AbortJob(DomainRef domain, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.MigratePeerToPeer(DomainRef, string, IReadOnlyList{TypedParameter}, MigrateFlags, Deadline)"/>
    void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.MigrateSetMaxDowntime(DomainRef, ulong, Deadline)"/>
    void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline);

    /// <inheritdoc cref="LibvirtConnection.NetworkLookupByName(string, Deadline)"/>
    NamedObjectRef NetworkLookupByName(string name, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.NetworkCreate(NamedObjectRef, Deadline)"/>
    void NetworkCreate(NamedObjectRef network, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.NetworkIsActive(NamedObjectRef, Deadline)"/>
    bool NetworkIsActive(NamedObjectRef network, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.StoragePoolLookupByName(string, Deadline)"/>
    NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.StoragePoolCreate(NamedObjectRef, Deadline)"/>
    void StoragePoolCreate(NamedObjectRef pool, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.StoragePoolRefresh(NamedObjectRef, Deadline)"/>
    void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline);
    /// <inheritdoc cref="LibvirtConnection.StoragePoolIsActive(NamedObjectRef, Deadline)"/>
    bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline);

    /// <inheritdoc cref="LibvirtConnection.Close(Deadline)"/>
    void Close(Deadline deadline);
}

/// <summary>Opens a connection to <paramref name="uri"/> within <paramref name="deadline"/> (see <see cref="LibvirtConnection.Open(string, Deadline)"/>).</summary>
/// <param name="uri">A local libvirt URI.</param>
/// <param name="deadline">Bounds the connect and the CONNECT_OPEN call.</param>
public delegate ILibvirtConnection LibvirtOpener(string uri, Deadline deadline);
