namespace HaCluster.Libvirt;

/// <summary>virErrorNumber values (libvirt's virterror.h) a caller is likely to test.</summary>
public static class LibvirtErrorCode
{
    public const int InternalError = 1;
    public const int NoMemory = 2;
    public const int NoSupport = 3;
    public const int NoConnect = 5;
    public const int InvalidConnection = 6;
    public const int InvalidDomain = 7;
    public const int InvalidArgument = 8;
    public const int OperationFailed = 9;
    public const int XmlError = 27;
    public const int DomainExists = 28;
    public const int OperationDenied = 29;
    public const int SystemError = 38;
    public const int Rpc = 39;
    public const int NoDomain = 42;
    public const int NoNetwork = 43;
    public const int AuthFailed = 45;
    public const int NoStoragePool = 49;
    public const int OperationInvalid = 55;
    public const int ConfigUnsupported = 67;
    public const int OperationTimeout = 68;
    public const int ArgumentUnsupported = 74;
    public const int OperationAborted = 78;
    public const int OperationUnsupported = 84;
    public const int AgentUnresponsive = 86;
    public const int ResourceBusy = 87;
    public const int AccessDenied = 88;
    public const int XmlInvalidSchema = 92;
    public const int AuthUnavailable = 94;
}

/// <summary>
/// A libvirt error: one the daemon returned (<c>remote_error</c>), or one of this client
/// (connection refused or closed, malformed reply: <see cref="LibvirtErrorCode.NoConnect"/>,
/// <see cref="LibvirtErrorCode.Rpc"/>). A deadline that expires is a <see cref="TimeoutException"/>, not this.
/// </summary>
public sealed class LibvirtException : Exception
{
    public LibvirtException(int code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    public LibvirtException(int code, int domain, int level, string message) : base(message)
    {
        Code = code;
        ErrorDomain = domain;
        Level = level;
    }

    /// <summary>virErrorNumber (<see cref="LibvirtErrorCode"/>).</summary>
    public int Code { get; }
    /// <summary>virErrorDomain: the part of libvirt that raised it (0 when raised by this client).</summary>
    public int ErrorDomain { get; }
    /// <summary>virErrorLevel: 1 warning, 2 error (0 when raised by this client).</summary>
    public int Level { get; }

    /// <summary>The domain does not exist (VIR_ERR_NO_DOMAIN): for an agent, "not running".</summary>
    public bool IsNoDomain => Code == LibvirtErrorCode.NoDomain;
    public bool IsOperationInvalid => Code == LibvirtErrorCode.OperationInvalid;
    public bool IsNotSupported => Code is LibvirtErrorCode.NoSupport or LibvirtErrorCode.OperationUnsupported or LibvirtErrorCode.ArgumentUnsupported;
    public bool IsOperationTimeout => Code == LibvirtErrorCode.OperationTimeout;
    /// <summary>No connection to the daemon could be made or kept (socket missing, refused, closed).</summary>
    public bool IsConnectionFailure => Code is LibvirtErrorCode.NoConnect or LibvirtErrorCode.Rpc;

    /// <summary>
    /// Decodes <c>remote_error</c>: code, domain, message (optional string), level, dom (optional
    /// remote_nonnull_domain), str1..3 (optional strings), int1, int2, net (optional network).
    /// Only code, domain, message and level are kept; a payload cut short after them still decodes.
    /// </summary>
    internal static LibvirtException Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new XdrReader(payload);
        int code = reader.ReadInt();
        int domain = reader.ReadInt();
        string? message = reader.ReadOptionalString();
        int level = reader.Remaining >= 4 ? reader.ReadInt() : 2;
        return new LibvirtException(code, domain, level, message ?? $"libvirt error {code}");
    }
}
