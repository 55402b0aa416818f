namespace HaCluster.Libvirt;

/// <summary>
/// The argument structures (<c>remote_*_args</c> of remote_protocol.x, libvirt 9.0) this client
/// sends, one writer per layout; the procedures that share a layout share its writer.
/// </summary>
internal static class RemoteArgs
{
    /// <summary>No arguments (CONNECT_CLOSE).</summary>
    public static void None(XdrWriter writer, int unused) { }

    /// <summary>remote_connect_open_args: name (optional string), flags 0.</summary>
    public static void OpenName(XdrWriter writer, string name) => writer.WriteOptionalString(name).WriteUInt(0);

    /// <summary>A name or a path (remote_nonnull_string), alone.</summary>
    public static void Text(XdrWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        writer.WriteString(text);
    }

    /// <summary>A string and flags (DOMAIN_CREATE_XML).</summary>
    public static void TextAndFlags(XdrWriter writer, (string Text, uint Flags) args)
    {
        Text(writer, args.Text);
        writer.WriteUInt(args.Flags);
    }

    /// <summary>A UUID (remote_uuid, 16 bytes).</summary>
    public static void Uuid(XdrWriter writer, byte[] uuid) => DomainRef.WriteUuid(writer, uuid);

    /// <summary>remote_nonnull_domain alone.</summary>
    public static void Domain(XdrWriter writer, DomainRef domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        domain.Write(writer);
    }

    /// <summary>A domain and flags.</summary>
    public static void DomainAndFlags(XdrWriter writer, (DomainRef Domain, uint Flags) args)
    {
        Domain(writer, args.Domain);
        writer.WriteUInt(args.Flags);
    }

    /// <summary>A domain and a string (DOMAIN_SAVE: the file).</summary>
    public static void DomainAndText(XdrWriter writer, (DomainRef Domain, string Text) args)
    {
        Domain(writer, args.Domain);
        Text(writer, args.Text);
    }

    /// <summary>A domain, an unsigned 64-bit value and flags 0 (downtime, bandwidth).</summary>
    public static void DomainAndValue(XdrWriter writer, (DomainRef Domain, ulong Value) args)
    {
        Domain(writer, args.Domain);
        writer.WriteUHyper(args.Value).WriteUInt(0);
    }

    /// <summary>remote_connect_list_all_domains_args: need_results 1, flags.</summary>
    public static void ListAll(XdrWriter writer, uint flags) => writer.WriteInt(1).WriteUInt(flags);

    /// <summary>remote_domain_migrate_perform3_params_args: domain, dconnuri, params, cookie_in (empty), flags.</summary>
    public static void MigratePerform3(XdrWriter writer, (DomainRef Domain, string DestinationUri, IReadOnlyList<TypedParameter> Parameters, uint Flags) args)
    {
        Domain(writer, args.Domain);
        writer.WriteOptionalString(args.DestinationUri);
        writer.WriteArray(args.Parameters, static (x, p) => p.Write(x));
        writer.WriteOpaque([]);
        writer.WriteUInt(args.Flags);
    }

    /// <summary>remote_nonnull_network or remote_nonnull_storage_pool alone.</summary>
    public static void Named(XdrWriter writer, NamedObjectRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Write(writer);
    }

    /// <summary>A network or storage pool and flags.</summary>
    public static void NamedAndFlags(XdrWriter writer, (NamedObjectRef Target, uint Flags) args)
    {
        Named(writer, args.Target);
        writer.WriteUInt(args.Flags);
    }
}

/// <summary>The return structures (<c>remote_*_ret</c> of remote_protocol.x, libvirt 9.0) this client reads.</summary>
internal static class RemoteReplies
{
    /// <summary>REMOTE_DOMAIN_JOB_STATS_MAX.</summary>
    const int JobStatsMax = 64;

    /// <summary>No return value.</summary>
    public static bool None(ref XdrReader reader) => true;

    /// <summary>An int read as a truth value (the *_IS_ACTIVE, *_IS_PERSISTENT procedures).</summary>
    public static bool Flag(ref XdrReader reader) => reader.ReadInt() != 0;

    /// <summary>A remote_nonnull_string (DOMAIN_GET_XML_DESC).</summary>
    public static string Text(ref XdrReader reader) => reader.ReadString();

    /// <summary>A remote_nonnull_domain.</summary>
    public static DomainRef Domain(ref XdrReader reader) => DomainRef.Read(ref reader);

    /// <summary>A remote_nonnull_network or remote_nonnull_storage_pool.</summary>
    public static NamedObjectRef Named(ref XdrReader reader) => NamedObjectRef.Read(ref reader);

    /// <summary>remote_domain_get_state_ret: state, reason.</summary>
    public static DomainStateInfo State(ref XdrReader reader) => new((DomainState)reader.ReadInt(), reader.ReadInt());

    /// <summary>remote_domain_get_info_ret: state, maxMem, memory, nrVirtCpu, cpuTime.</summary>
    public static DomainInfo Info(ref XdrReader reader)
    {
        // unsigned char and unsigned short are one XDR word each
        var state = (DomainState)reader.ReadUInt();
        ulong maxMem = reader.ReadUHyper();
        ulong memory = reader.ReadUHyper();
        int vcpus = (int)reader.ReadUInt();
        ulong cpuTime = reader.ReadUHyper();
        return new DomainInfo(state, maxMem, memory, vcpus, cpuTime);
    }

    /// <summary>remote_domain_get_job_info_ret: the type and eleven unsigned 64-bit figures.</summary>
    public static DomainJobInfo JobInfo(ref XdrReader reader) => new(reader.ReadInt(),
        reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(),
        reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper(), reader.ReadUHyper());

    /// <summary>remote_domain_get_job_stats_ret: type, params.</summary>
    public static DomainJobStats JobStats(ref XdrReader reader)
    {
        int type = reader.ReadInt();
        int count = reader.ReadArrayLength(JobStatsMax);
        var parameters = new List<TypedParameter>(count);
        for (int i = 0; i < count; i++) parameters.Add(TypedParameter.Read(ref reader));
        return new DomainJobStats(type, parameters);
    }

    /// <summary>remote_connect_list_all_domains_ret: domains, ret (their count again).</summary>
    public static IReadOnlyList<DomainRef> DomainList(ref XdrReader reader)
    {
        int count = reader.ReadArrayLength(RemoteProtocol.DomainListMax);
        var domains = new List<DomainRef>(count);
        for (int i = 0; i < count; i++) domains.Add(DomainRef.Read(ref reader));
        reader.ReadUInt();
        return domains;
    }

    /// <summary>remote_domain_migrate_perform3_params_ret: cookie_out, unused in a peer-to-peer migration.</summary>
    public static bool MigrateCookie(ref XdrReader reader)
    {
        reader.ReadOpaque(RemoteProtocol.MigrateCookieMax);
        return true;
    }
}
