namespace HaCluster.Libvirt;

/// <summary>virErrorNumber values (libvirt's virterror.h) a caller is likely to test.</summary>
public static class LibvirtErrorCode
{
    /// <summary>An internal error of libvirt or the hypervisor.</summary>
    public const int InternalError = 1;
    /// <summary>Out of memory.</summary>
    public const int NoMemory = 2;
    /// <summary>The hypervisor or driver does not support this call.</summary>
    public const int NoSupport = 3;
    /// <summary>No connection to the daemon: socket missing, refused or closed.</summary>
    public const int NoConnect = 5;
    /// <summary>The connection is not valid.</summary>
    public const int InvalidConnection = 6;
    /// <summary>The domain object is not valid.</summary>
    public const int InvalidDomain = 7;
    /// <summary>An argument is not valid.</summary>
    public const int InvalidArgument = 8;
    /// <summary>The operation failed (a message says why).</summary>
    public const int OperationFailed = 9;
    /// <summary>The XML does not describe a valid object.</summary>
    public const int XmlError = 27;
    /// <summary>A domain with that name or UUID exists already.</summary>
    public const int DomainExists = 28;
    /// <summary>The operation is not allowed (e.g. on a read-only connection).</summary>
    public const int OperationDenied = 29;
    /// <summary>A system call failed.</summary>
    public const int SystemError = 38;
    /// <summary>The remote protocol failed: a message was malformed or unexpected.</summary>
    public const int Rpc = 39;
    /// <summary>No such domain.</summary>
    public const int NoDomain = 42;
    /// <summary>No such network.</summary>
    public const int NoNetwork = 43;
    /// <summary>Authentication failed.</summary>
    public const int AuthFailed = 45;
    /// <summary>No such storage pool.</summary>
    public const int NoStoragePool = 49;
    /// <summary>The operation is not valid in the object's state (e.g. destroy of a domain that is not running).</summary>
    public const int OperationInvalid = 55;
    /// <summary>The configuration is not supported by the hypervisor.</summary>
    public const int ConfigUnsupported = 67;
    /// <summary>The operation timed out on the daemon's side.</summary>
    public const int OperationTimeout = 68;
    /// <summary>An argument (e.g. a flag or a shutdown method) is not supported.</summary>
    public const int ArgumentUnsupported = 74;
    /// <summary>The operation was aborted (e.g. a migration job cancelled).</summary>
    public const int OperationAborted = 78;
    /// <summary>The operation is not supported.</summary>
    public const int OperationUnsupported = 84;
    /// <summary>The guest agent does not answer.</summary>
    public const int AgentUnresponsive = 86;
    /// <summary>A resource is in use.</summary>
    public const int ResourceBusy = 87;
    /// <summary>Access was denied.</summary>
    public const int AccessDenied = 88;
    /// <summary>The XML does not validate against the schema.</summary>
    public const int XmlInvalidSchema = 92;
    /// <summary>No authentication method is available.</summary>
    public const int AuthUnavailable = 94;
}

/// <summary>
/// A libvirt error: one the daemon returned (<c>remote_error</c>), or one of this client
/// (connection refused or closed, malformed reply: <see cref="LibvirtErrorCode.NoConnect"/>,
/// <see cref="LibvirtErrorCode.Rpc"/>). A deadline that expires is a <see cref="TimeoutException"/>, not this.
/// </summary>
public sealed class LibvirtException : Exception
{
    /// <summary>An error of this client (or a test's stand-in for a daemon's).</summary>
    /// <param name="code">The virErrorNumber (<see cref="LibvirtErrorCode"/>).</param>
    /// <param name="message">What went wrong, in libvirt's words where it gave some.</param>
    /// <param name="inner">The failure that caused it, if any.</param>
    public LibvirtException(int code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    /// <summary>An error the daemon returned.</summary>
    /// <param name="code">The virErrorNumber (<see cref="LibvirtErrorCode"/>).</param>
    /// <param name="domain">The virErrorDomain: the part of libvirt that raised it.</param>
    /// <param name="level">The virErrorLevel: 1 warning, 2 error.</param>
    /// <param name="message">The daemon's message.</param>
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
    /// <summary>The operation does not fit the object's state (VIR_ERR_OPERATION_INVALID), e.g. destroy of a domain that does not run.</summary>
    public bool IsOperationInvalid => Code == LibvirtErrorCode.OperationInvalid;
    /// <summary>The driver does not support the call, the operation or one of its arguments.</summary>
    public bool IsNotSupported => Code is LibvirtErrorCode.NoSupport or LibvirtErrorCode.OperationUnsupported or LibvirtErrorCode.ArgumentUnsupported;
    /// <summary>The operation timed out on the daemon's side (VIR_ERR_OPERATION_TIMEOUT).</summary>
    public bool IsOperationTimeout => Code == LibvirtErrorCode.OperationTimeout;
    /// <summary>
    /// No connection to the daemon could be made or kept: socket missing, refused, closed, or a
    /// daemon whose messages do not decode. For a caller, the same as a daemon that does not answer.
    /// </summary>
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
