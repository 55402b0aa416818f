using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// Domain calls: lookup, state, definition, life cycle. Each bounds its exchange by the
/// <see cref="Deadline"/> it is given and fails as <see cref="LibvirtConnection"/> describes.
/// </summary>
public sealed partial class LibvirtConnection
{
    /// <summary>DOMAIN_LOOKUP_BY_NAME. A missing domain: <see cref="LibvirtException.IsNoDomain"/>.</summary>
    /// <param name="name">The domain's name.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainRef LookupByName(string name, Deadline deadline)
        => Call(RemoteProcedure.DomainLookupByName, name, RemoteArgs.Text, RemoteReplies.Domain, deadline);

    /// <summary>DOMAIN_LOOKUP_BY_UUID. A missing domain: <see cref="LibvirtException.IsNoDomain"/>.</summary>
    /// <param name="uuid">The domain's UUID, 16 bytes.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainRef LookupByUuid(byte[] uuid, Deadline deadline)
        => Call(RemoteProcedure.DomainLookupByUuid, uuid, RemoteArgs.Uuid, RemoteReplies.Domain, deadline);

    /// <summary>DOMAIN_LOOKUP_BY_UUID from the text form (<c>xxxxxxxx-xxxx-…</c> or 32 hex digits).</summary>
    /// <param name="uuid">The domain's UUID as text.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainRef LookupByUuid(string uuid, Deadline deadline) => LookupByUuid(ParseUuid(uuid), deadline);

    internal static byte[] ParseUuid(string uuid)
    {
        string hex = uuid.Replace("-", "", StringComparison.Ordinal);
        if (hex.Length != 32) throw new ArgumentException($"'{uuid}' is not a UUID", nameof(uuid));
        try { return Convert.FromHexString(hex); }
        catch (FormatException) { throw new ArgumentException($"'{uuid}' is not a UUID", nameof(uuid)); }
    }

    /// <summary>DOMAIN_GET_STATE (flags 0): the state and its reason.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainStateInfo GetState(DomainRef domain, Deadline deadline)
        => Call(RemoteProcedure.DomainGetState, (domain, 0u), RemoteArgs.DomainAndFlags, RemoteReplies.State, deadline);

    /// <summary>DOMAIN_GET_INFO: state, max memory and memory (KiB), vCPUs, CPU time (ns).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainInfo GetInfo(DomainRef domain, Deadline deadline)
        => Call(RemoteProcedure.DomainGetInfo, domain, RemoteArgs.Domain, RemoteReplies.Info, deadline);

    /// <summary>DOMAIN_GET_XML_DESC: the domain's XML.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="flags">Which form of the XML.</param>
    /// <param name="deadline">Bounds the call.</param>
    public string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline)
        => Call(RemoteProcedure.DomainGetXmlDesc, (domain, (uint)flags), RemoteArgs.DomainAndFlags, RemoteReplies.Text, deadline);

    /// <summary>DOMAIN_CREATE_XML: starts a transient domain.</summary>
    /// <param name="xml">The domain's XML.</param>
    /// <param name="flags">How to start it.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return Call(RemoteProcedure.DomainCreateXml, (xml, (uint)flags), RemoteArgs.TextAndFlags, RemoteReplies.Domain, deadline);
    }

    /// <summary>DOMAIN_DEFINE_XML: a persistent definition (not started).</summary>
    /// <param name="xml">The domain's XML.</param>
    /// <param name="deadline">Bounds the call.</param>
    public DomainRef DefineXml(string xml, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return Call(RemoteProcedure.DomainDefineXml, xml, RemoteArgs.Text, RemoteReplies.Domain, deadline);
    }

    /// <summary>DOMAIN_CREATE: starts a defined domain.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Create(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainCreate, domain, RemoteArgs.Domain, deadline);

    /// <summary>DOMAIN_UNDEFINE (flags none) or DOMAIN_UNDEFINE_FLAGS: removes the persistent definition.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="flags">What else to remove.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline)
    {
        if (flags == DomainUndefineFlags.None) Call(RemoteProcedure.DomainUndefine, domain, RemoteArgs.Domain, deadline);
        else Call(RemoteProcedure.DomainUndefineFlags, (domain, (uint)flags), RemoteArgs.DomainAndFlags, deadline);
    }

    /// <summary>DOMAIN_SHUTDOWN: asks the guest to shut down (returns at once).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Shutdown(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainShutdown, domain, RemoteArgs.Domain, deadline);

    /// <summary>DOMAIN_SHUTDOWN_FLAGS: asks the guest to shut down by the methods allowed (returns at once).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="mode">The methods the hypervisor may use.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline)
        => Call(RemoteProcedure.DomainShutdownFlags, (domain, (uint)mode), RemoteArgs.DomainAndFlags, deadline);

    /// <summary>DOMAIN_DESTROY: kills the domain.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Destroy(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainDestroy, domain, RemoteArgs.Domain, deadline);

    /// <summary>DOMAIN_DESTROY_FLAGS: kills the domain, gracefully if asked.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="flags">How to kill it.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline)
        => Call(RemoteProcedure.DomainDestroyFlags, (domain, (uint)flags), RemoteArgs.DomainAndFlags, deadline);

    /// <summary>DOMAIN_SUSPEND: pauses the domain.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Suspend(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainSuspend, domain, RemoteArgs.Domain, deadline);

    /// <summary>DOMAIN_RESUME: resumes a paused domain.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Resume(DomainRef domain, Deadline deadline) => Call(RemoteProcedure.DomainResume, domain, RemoteArgs.Domain, deadline);

    /// <summary>DOMAIN_IS_PERSISTENT: whether the domain has a persistent definition.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public bool IsPersistent(DomainRef domain, Deadline deadline)
        => Call(RemoteProcedure.DomainIsPersistent, domain, RemoteArgs.Domain, RemoteReplies.Flag, deadline);

    /// <summary>DOMAIN_IS_ACTIVE: whether the domain runs.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="deadline">Bounds the call.</param>
    public bool IsActive(DomainRef domain, Deadline deadline)
        => Call(RemoteProcedure.DomainIsActive, domain, RemoteArgs.Domain, RemoteReplies.Flag, deadline);

    /// <summary>DOMAIN_SAVE: saves the running domain's memory to <paramref name="toPath"/> (on the daemon's side) and stops it.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="toPath">The file the daemon writes.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Save(DomainRef domain, string toPath, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(toPath);
        Call(RemoteProcedure.DomainSave, (domain, toPath), RemoteArgs.DomainAndText, deadline);
    }

    /// <summary>DOMAIN_RESTORE: starts a domain from a file written by <see cref="Save"/>.</summary>
    /// <param name="fromPath">The file the daemon reads.</param>
    /// <param name="deadline">Bounds the call.</param>
    public void Restore(string fromPath, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(fromPath);
        Call(RemoteProcedure.DomainRestore, fromPath, RemoteArgs.Text, deadline);
    }

    /// <summary>CONNECT_LIST_ALL_DOMAINS: the domains the flags select.</summary>
    /// <param name="flags">Which domains.</param>
    /// <param name="deadline">Bounds the call.</param>
    public IReadOnlyList<DomainRef> ListAllDomains(ListDomainsFlags flags, Deadline deadline)
        => Call(RemoteProcedure.ConnectListAllDomains, (uint)flags, RemoteArgs.ListAll, RemoteReplies.DomainList, deadline);
}
