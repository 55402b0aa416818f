namespace HaCluster.Libvirt;

/// <summary>
/// libvirt's remote RPC framing (src/rpc/virnetprotocol.x, src/remote/remote_protocol.x of
/// libvirt 9.0): every message is a 4-byte big-endian length (counting itself), a 24-byte
/// header and an XDR payload.
/// </summary>
internal static class RemoteProtocol
{
    public const uint Program = 0x20008086;
    public const uint ProtocolVersion = 1;
    /// <summary>The keep-alive program ("keep"); its messages are skipped.</summary>
    public const uint KeepAliveProgram = 0x6b656570;

    /// <summary>VIR_NET_MESSAGE_MAX: the largest message the daemon sends or accepts.</summary>
    public const int MessageMax = 33_554_432;
    public const int LengthSize = 4;
    public const int HeaderSize = 24;
    /// <summary>REMOTE_STRING_MAX.</summary>
    public const int StringMax = 1_048_576;
    public const int UuidLength = 16;
    /// <summary>REMOTE_DOMAIN_LIST_MAX.</summary>
    public const int DomainListMax = 16_384;
    /// <summary>REMOTE_MIGRATE_COOKIE_MAX.</summary>
    public const int MigrateCookieMax = 4_194_304;
    /// <summary>REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX.</summary>
    public const int MigrateParamListMax = 64;
}

/// <summary>virNetMessageType.</summary>
internal enum MessageType
{
    Call = 0,
    Reply = 1,
    /// <summary>An asynchronous event from the daemon: skipped while waiting for a reply.</summary>
    Message = 2,
    Stream = 3,
    CallWithFds = 4,
    ReplyWithFds = 5,
    StreamHole = 6,
}

/// <summary>virNetMessageStatus.</summary>
internal enum MessageStatus
{
    Ok = 0,
    Error = 1,
    Continue = 2,
}

/// <summary>virNetMessageHeader: prog, vers, proc, type, serial, status (six XDR words).</summary>
internal readonly record struct MessageHeader(uint Program, uint Version, int Procedure, MessageType Type, uint Serial, MessageStatus Status)
{
    public void Write(XdrWriter writer)
    {
        writer.WriteUInt(Program).WriteUInt(Version).WriteInt(Procedure)
              .WriteInt((int)Type).WriteUInt(Serial).WriteInt((int)Status);
    }

    public static MessageHeader Read(ref XdrReader reader) =>
        new(reader.ReadUInt(), reader.ReadUInt(), reader.ReadInt(), (MessageType)reader.ReadInt(),
            reader.ReadUInt(), (MessageStatus)reader.ReadInt());

    /// <summary>
    /// A whole framed call: length, header (type call, status OK), then
    /// <paramref name="payload"/>. Used by tests and to document the layout.
    /// </summary>
    public static byte[] Frame(MessageHeader header, ReadOnlySpan<byte> payload)
    {
        var writer = new XdrWriter(RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize + payload.Length);
        writer.WriteUInt(0);
        header.Write(writer);
        writer.WriteFixedOpaque(payload);
        writer.PatchUInt(0, (uint)writer.Length);
        return writer.Written.ToArray();
    }
}

/// <summary>remote_procedure numbers (libvirt 9.0 remote_protocol.x).</summary>
internal static class RemoteProcedure
{
    public const int ConnectOpen = 1;
    public const int ConnectClose = 2;
    public const int ConnectGetType = 3;
    public const int ConnectGetVersion = 4;
    public const int DomainCreate = 9;
    public const int DomainCreateXml = 10;
    public const int DomainDefineXml = 11;
    public const int DomainDestroy = 12;
    public const int DomainGetXmlDesc = 14;
    public const int DomainGetInfo = 16;
    public const int DomainLookupById = 22;
    public const int DomainLookupByName = 23;
    public const int DomainLookupByUuid = 24;
    public const int DomainResume = 28;
    public const int DomainShutdown = 33;
    public const int DomainSuspend = 34;
    public const int DomainUndefine = 35;
    public const int NetworkCreate = 39;
    public const int NetworkDestroy = 42;
    public const int NetworkLookupByName = 46;
    public const int DomainRestore = 54;
    public const int DomainSave = 55;
    public const int ConnectSupportsFeature = 60;
    public const int AuthList = 66;
    public const int AuthPolkit = 70;
    public const int StoragePoolCreate = 78;
    public const int StoragePoolDestroy = 80;
    public const int StoragePoolRefresh = 83;
    public const int StoragePoolLookupByName = 84;
    public const int ConnectGetUri = 110;
    public const int DomainIsActive = 150;
    public const int DomainIsPersistent = 151;
    public const int NetworkIsActive = 152;
    public const int StoragePoolIsActive = 154;
    public const int ConnectGetLibVersion = 157;
    public const int DomainGetJobInfo = 163;
    public const int DomainAbortJob = 164;
    public const int DomainMigrateSetMaxDowntime = 166;
    public const int DomainMigrateSetMaxSpeed = 207;
    public const int DomainGetState = 212;
    public const int DomainUndefineFlags = 231;
    public const int DomainDestroyFlags = 234;
    public const int DomainShutdownFlags = 258;
    public const int ConnectListAllDomains = 273;
    public const int DomainGetJobStats = 298;
    public const int DomainMigratePerform3Params = 305;
}
