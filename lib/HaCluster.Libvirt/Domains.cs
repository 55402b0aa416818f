using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>Domain, network and storage-pool calls. Argument and reply layouts: remote_protocol.x of libvirt 9.0.</summary>
public sealed partial class LibvirtConnection
{
    DomainRef CallForDomain(XdrWriter w, Deadline deadline)
    {
        var reader = new XdrReader(Invoke(w, deadline));
        return DomainRef.Read(ref reader);
    }

    void CallVoid(XdrWriter w, Deadline deadline) => Invoke(w, deadline);

    /// <summary>DOMAIN_LOOKUP_BY_NAME. A missing domain: <see cref="LibvirtException.IsNoDomain"/>.</summary>
    public DomainRef LookupByName(string name, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainLookupByName);
            w.WriteString(name);
            return CallForDomain(w, deadline);
        }
    }

    /// <summary>DOMAIN_LOOKUP_BY_UUID (16 bytes).</summary>
    public DomainRef LookupByUuid(byte[] uuid, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainLookupByUuid);
            DomainRef.WriteUuid(w, uuid);
            return CallForDomain(w, deadline);
        }
    }

    /// <summary>DOMAIN_LOOKUP_BY_UUID from the text form (<c>xxxxxxxx-xxxx-…</c> or 32 hex digits).</summary>
    public DomainRef LookupByUuid(string uuid, Deadline deadline) => LookupByUuid(ParseUuid(uuid), deadline);

    internal static byte[] ParseUuid(string uuid)
    {
        string hex = uuid.Replace("-", "", StringComparison.Ordinal);
        if (hex.Length != 32) throw new ArgumentException($"'{uuid}' is not a UUID", nameof(uuid));
        try { return Convert.FromHexString(hex); }
        catch (FormatException) { throw new ArgumentException($"'{uuid}' is not a UUID", nameof(uuid)); }
    }

    /// <summary>DOMAIN_GET_STATE (flags 0).</summary>
    public DomainStateInfo GetState(DomainRef domain, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainGetState);
            domain.Write(w);
            w.WriteUInt(0);
            var reader = new XdrReader(Invoke(w, deadline));
            return new DomainStateInfo((DomainState)reader.ReadInt(), reader.ReadInt());
        }
    }

    /// <summary>DOMAIN_GET_INFO: state, max memory and memory (KiB), vCPUs, CPU time (ns).</summary>
    public DomainInfo GetInfo(DomainRef domain, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainGetInfo);
            domain.Write(w);
            var reader = new XdrReader(Invoke(w, deadline));
            // unsigned char and unsigned short are one XDR word each
            var state = (DomainState)reader.ReadUInt();
            ulong maxMem = reader.ReadUHyper();
            ulong memory = reader.ReadUHyper();
            int vcpus = (int)reader.ReadUInt();
            ulong cpuTime = reader.ReadUHyper();
            return new DomainInfo(state, maxMem, memory, vcpus, cpuTime);
        }
    }

    /// <summary>DOMAIN_GET_XML_DESC.</summary>
    public string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainGetXmlDesc);
            domain.Write(w);
            w.WriteUInt((uint)flags);
            var reader = new XdrReader(Invoke(w, deadline));
            return reader.ReadString();
        }
    }

    /// <summary>DOMAIN_CREATE_XML: starts a transient domain.</summary>
    public DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(xml);
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainCreateXml);
            w.WriteString(xml);
            w.WriteUInt((uint)flags);
            return CallForDomain(w, deadline);
        }
    }

    /// <summary>DOMAIN_DEFINE_XML: a persistent definition (not started).</summary>
    public DomainRef DefineXml(string xml, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(xml);
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainDefineXml);
            w.WriteString(xml);
            return CallForDomain(w, deadline);
        }
    }

    /// <summary>DOMAIN_CREATE: starts a defined domain.</summary>
    public void Create(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainCreate, domain, null, deadline);

    /// <summary>DOMAIN_UNDEFINE (flags 0) or DOMAIN_UNDEFINE_FLAGS.</summary>
    public void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline)
    {
        if (flags == DomainUndefineFlags.None) DomainCall(RemoteProcedure.DomainUndefine, domain, null, deadline);
        else DomainCall(RemoteProcedure.DomainUndefineFlags, domain, (uint)flags, deadline);
    }

    /// <summary>DOMAIN_SHUTDOWN: asks the guest to shut down (returns at once).</summary>
    public void Shutdown(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainShutdown, domain, null, deadline);

    /// <summary>DOMAIN_SHUTDOWN_FLAGS with the methods allowed.</summary>
    public void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline)
        => DomainCall(RemoteProcedure.DomainShutdownFlags, domain, (uint)mode, deadline);

    /// <summary>DOMAIN_DESTROY: kills the domain.</summary>
    public void Destroy(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainDestroy, domain, null, deadline);

    /// <summary>DOMAIN_DESTROY_FLAGS.</summary>
    public void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline)
        => DomainCall(RemoteProcedure.DomainDestroyFlags, domain, (uint)flags, deadline);

    /// <summary>DOMAIN_SUSPEND.</summary>
    public void Suspend(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainSuspend, domain, null, deadline);

    /// <summary>DOMAIN_RESUME.</summary>
    public void Resume(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainResume, domain, null, deadline);

    /// <summary>DOMAIN_IS_PERSISTENT.</summary>
    public bool IsPersistent(DomainRef domain, Deadline deadline) => DomainQuery(RemoteProcedure.DomainIsPersistent, domain, deadline);

    /// <summary>DOMAIN_IS_ACTIVE.</summary>
    public bool IsActive(DomainRef domain, Deadline deadline) => DomainQuery(RemoteProcedure.DomainIsActive, domain, deadline);

    /// <summary>DOMAIN_SAVE: saves the running domain's memory to <paramref name="toPath"/> (on the daemon's side) and stops it.</summary>
    public void Save(DomainRef domain, string toPath, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(toPath);
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainSave);
            domain.Write(w);
            w.WriteString(toPath);
            CallVoid(w, deadline);
        }
    }

    /// <summary>DOMAIN_RESTORE: starts a domain from a file written by <see cref="Save"/>.</summary>
    public void Restore(string fromPath, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(fromPath);
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainRestore);
            w.WriteString(fromPath);
            CallVoid(w, deadline);
        }
    }

    /// <summary>DOMAIN_GET_JOB_INFO: progress of the domain's current job (migration, save, …).</summary>
    public DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainGetJobInfo);
            domain.Write(w);
            var r = new XdrReader(Invoke(w, deadline));
            return new DomainJobInfo(r.ReadInt(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(),
                r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper(), r.ReadUHyper());
        }
    }

    /// <summary>DOMAIN_ABORT_JOB: cancels the domain's current job (a migration, a save).</summary>
    public void AbortJob(DomainRef domain, Deadline deadline) => DomainCall(RemoteProcedure.DomainAbortJob, domain, null, deadline);

    /// <summary>CONNECT_LIST_ALL_DOMAINS.</summary>
    public IReadOnlyList<DomainRef> ListAllDomains(ListDomainsFlags flags, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.ConnectListAllDomains);
            w.WriteInt(1); // need_results
            w.WriteUInt((uint)flags);
            var reader = new XdrReader(Invoke(w, deadline));
            int count = reader.ReadArrayLength(RemoteProtocol.DomainListMax);
            var domains = new List<DomainRef>(count);
            for (int i = 0; i < count; i++) domains.Add(DomainRef.Read(ref reader));
            return domains;
        }
    }

    /// <summary>
    /// DOMAIN_MIGRATE_PERFORM3_PARAMS for a peer-to-peer migration (<see cref="MigrateFlags.PeerToPeer"/>
    /// must be among <paramref name="flags"/>): the source daemon connects to
    /// <paramref name="destinationUri"/> itself and runs the whole protocol; this call returns when
    /// the migration has finished. Parameters: <see cref="MigrateParameter"/>.
    /// </summary>
    public void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters,
        MigrateFlags flags, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(destinationUri);
        if ((flags & MigrateFlags.PeerToPeer) == 0)
            throw new ArgumentException("only peer-to-peer migration is a single call: add MigrateFlags.PeerToPeer", nameof(flags));
        if (parameters.Count > RemoteProtocol.MigrateParamListMax)
            throw new ArgumentException("too many migration parameters", nameof(parameters));
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainMigratePerform3Params);
            domain.Write(w);
            w.WriteOptionalString(destinationUri);
            w.WriteArray(parameters, static (x, p) => p.Write(x));
            w.WriteOpaque([]); // cookie_in
            w.WriteUInt((uint)flags);
            var reader = new XdrReader(Invoke(w, deadline));
            reader.ReadOpaque(RemoteProtocol.MigrateCookieMax); // cookie_out: unused in p2p
        }
    }

    /// <summary>DOMAIN_MIGRATE_SET_MAX_DOWNTIME (milliseconds), for a migration in progress.</summary>
    public void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainMigrateSetMaxDowntime);
            domain.Write(w);
            w.WriteUHyper(downtimeMs);
            w.WriteUInt(0);
            CallVoid(w, deadline);
        }
    }

    /// <summary>DOMAIN_MIGRATE_SET_MAX_SPEED (MiB/s).</summary>
    public void MigrateSetMaxSpeed(DomainRef domain, ulong bandwidthMiBs, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(RemoteProcedure.DomainMigrateSetMaxSpeed);
            domain.Write(w);
            w.WriteUHyper(bandwidthMiBs);
            w.WriteUInt(0);
            CallVoid(w, deadline);
        }
    }

    void DomainCall(int procedure, DomainRef domain, uint? flags, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(procedure);
            domain.Write(w);
            if (flags is uint f) w.WriteUInt(f);
            CallVoid(w, deadline);
        }
    }

    bool DomainQuery(int procedure, DomainRef domain, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(procedure);
            domain.Write(w);
            var reader = new XdrReader(Invoke(w, deadline));
            return reader.ReadInt() != 0;
        }
    }

    // ---------------------------------------------------------------- networks and storage pools

    /// <summary>NETWORK_LOOKUP_BY_NAME. Missing: code <see cref="LibvirtErrorCode.NoNetwork"/>.</summary>
    public NamedObjectRef NetworkLookupByName(string name, Deadline deadline) => LookupNamed(RemoteProcedure.NetworkLookupByName, name, deadline);

    /// <summary>NETWORK_CREATE: starts a defined network.</summary>
    public void NetworkCreate(NamedObjectRef network, Deadline deadline) => NamedCall(RemoteProcedure.NetworkCreate, network, null, deadline);

    /// <summary>NETWORK_DESTROY.</summary>
    public void NetworkDestroy(NamedObjectRef network, Deadline deadline) => NamedCall(RemoteProcedure.NetworkDestroy, network, null, deadline);

    /// <summary>NETWORK_IS_ACTIVE.</summary>
    public bool NetworkIsActive(NamedObjectRef network, Deadline deadline) => NamedQuery(RemoteProcedure.NetworkIsActive, network, deadline);

    /// <summary>STORAGE_POOL_LOOKUP_BY_NAME. Missing: code <see cref="LibvirtErrorCode.NoStoragePool"/>.</summary>
    public NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline) => LookupNamed(RemoteProcedure.StoragePoolLookupByName, name, deadline);

    /// <summary>STORAGE_POOL_CREATE: starts a defined pool.</summary>
    public void StoragePoolCreate(NamedObjectRef pool, Deadline deadline) => NamedCall(RemoteProcedure.StoragePoolCreate, pool, 0, deadline);

    /// <summary>STORAGE_POOL_DESTROY.</summary>
    public void StoragePoolDestroy(NamedObjectRef pool, Deadline deadline) => NamedCall(RemoteProcedure.StoragePoolDestroy, pool, null, deadline);

    /// <summary>STORAGE_POOL_REFRESH.</summary>
    public void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline) => NamedCall(RemoteProcedure.StoragePoolRefresh, pool, 0, deadline);

    /// <summary>STORAGE_POOL_IS_ACTIVE.</summary>
    public bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline) => NamedQuery(RemoteProcedure.StoragePoolIsActive, pool, deadline);

    NamedObjectRef LookupNamed(int procedure, string name, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (sync)
        {
            var w = Begin(procedure);
            w.WriteString(name);
            var reader = new XdrReader(Invoke(w, deadline));
            return NamedObjectRef.Read(ref reader);
        }
    }

    void NamedCall(int procedure, NamedObjectRef target, uint? flags, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(procedure);
            target.Write(w);
            if (flags is uint f) w.WriteUInt(f);
            CallVoid(w, deadline);
        }
    }

    bool NamedQuery(int procedure, NamedObjectRef target, Deadline deadline)
    {
        lock (sync)
        {
            var w = Begin(procedure);
            target.Write(w);
            var reader = new XdrReader(Invoke(w, deadline));
            return reader.ReadInt() != 0;
        }
    }
}
