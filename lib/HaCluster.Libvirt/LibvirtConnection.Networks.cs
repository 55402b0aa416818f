using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>Virtual networks and storage pools: what a domain needs running before it starts.</summary>
public sealed partial class LibvirtConnection
{
    /// <summary>NETWORK_LOOKUP_BY_NAME. Missing: code <see cref="LibvirtErrorCode.NoNetwork"/>.</summary>
    /// <param name="name">The network's name.</param>
    /// <param name="deadline">Bounds the call.</param>
    public NamedObjectRef NetworkLookupByName(string name, Deadline deadline)
        => Call(RemoteProcedure.NetworkLookupByName, name, RemoteArgs.Text, RemoteReplies.Named, deadline);

    /// <summary>NETWORK_CREATE: starts a defined network.</summary>
    /// <param name="network">The network.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void NetworkCreate(NamedObjectRef network, Deadline deadline) => Call(RemoteProcedure.NetworkCreate, network, RemoteArgs.Named, deadline);

    /// <summary>NETWORK_DESTROY: stops a network.</summary>
    /// <param name="network">The network.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void NetworkDestroy(NamedObjectRef network, Deadline deadline) => Call(RemoteProcedure.NetworkDestroy, network, RemoteArgs.Named, deadline);

    /// <summary>NETWORK_IS_ACTIVE: whether the network runs.</summary>
    /// <param name="network">The network.</param>
    /// <param name="deadline">Bounds the call.</param>
    public bool NetworkIsActive(NamedObjectRef network, Deadline deadline)
        => Call(RemoteProcedure.NetworkIsActive, network, RemoteArgs.Named, RemoteReplies.Flag, deadline);

    /// <summary>STORAGE_POOL_LOOKUP_BY_NAME. Missing: code <see cref="LibvirtErrorCode.NoStoragePool"/>.</summary>
    /// <param name="name">The pool's name.</param>
    /// <param name="deadline">Bounds the call.</param>
    public NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline)
        => Call(RemoteProcedure.StoragePoolLookupByName, name, RemoteArgs.Text, RemoteReplies.Named, deadline);

    /// <summary>STORAGE_POOL_CREATE (flags 0): starts a defined pool.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void StoragePoolCreate(NamedObjectRef pool, Deadline deadline)
        => Call(RemoteProcedure.StoragePoolCreate, (pool, 0u), RemoteArgs.NamedAndFlags, deadline);

    /// <summary>STORAGE_POOL_DESTROY: stops a pool.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void StoragePoolDestroy(NamedObjectRef pool, Deadline deadline) => Call(RemoteProcedure.StoragePoolDestroy, pool, RemoteArgs.Named, deadline);

    /// <summary>STORAGE_POOL_REFRESH (flags 0): rescans the pool's volumes.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline)
        => Call(RemoteProcedure.StoragePoolRefresh, (pool, 0u), RemoteArgs.NamedAndFlags, deadline);

    /// <summary>STORAGE_POOL_IS_ACTIVE: whether the pool runs.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="deadline">Bounds the call.</param>
    public bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline)
        => Call(RemoteProcedure.StoragePoolIsActive, pool, RemoteArgs.Named, RemoteReplies.Flag, deadline);
}
