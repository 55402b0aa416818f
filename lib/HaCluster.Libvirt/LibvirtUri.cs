using HaCluster.Core;

namespace HaCluster.Libvirt;

/// <summary>
/// A local libvirt URI taken apart the way libvirt's remote driver does it: the daemon socket to
/// connect to and the name to send in CONNECT_OPEN (the URI without transport and without the
/// client-side query parameters).
/// </summary>
public readonly record struct LibvirtUri(string SocketPath, string Name)
{
    /// <summary>The longest socket path a unix socket address holds (sun_path less its terminating NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    /// <summary>
    /// <c>driver[+unix]:///path[?socket=PATH&amp;...]</c>. Remote hosts and other transports (tls, ssh,
    /// tcp, libssh) are refused with <see cref="LibvirtUriException"/> (an <see cref="ArgumentException"/>
    /// whose message is a sentence of ours): this client speaks only to a local daemon.
    /// </summary>
    public static LibvirtUri Parse(string uri) => Parse(uri, File.Exists);

    /// <summary>Why <paramref name="uri"/> cannot be opened by this client, in a sentence of ours; null when it can.</summary>
    public static string? Problem(string uri) => TryParse(uri, File.Exists, out _, out var problem) ? null : problem;

    internal static LibvirtUri Parse(string uri, Func<string, bool> exists) =>
        TryParse(uri, exists, out var parsed, out var problem) ? parsed : throw new LibvirtUriException(problem!);

    static bool TryParse(string uri, Func<string, bool> exists, out LibvirtUri parsed, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(uri);
        parsed = default;
        problem = null;
        string quoted = SafeText.Quote(uri, 120);
        int sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) { problem = $"{quoted} is not a libvirt URI (driver:///path)"; return false; }
        string scheme = uri[..sep];
        string rest = uri[(sep + 3)..];
        string driver = scheme, transport = "";
        int plus = scheme.IndexOf('+');
        if (plus >= 0) { driver = scheme[..plus]; transport = scheme[(plus + 1)..]; }
        if (driver.Length == 0) { problem = $"{quoted} names no driver"; return false; }
        if (transport.Length != 0 && transport != "unix")
        {
            problem = $"{quoted}: only the local unix transport is supported, not {SafeText.Quote(transport, 32)}";
            return false;
        }

        string query = "";
        int q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        int slash = rest.IndexOf('/');
        string host = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : rest[slash..];
        if (host.Length != 0) { problem = $"{quoted}: remote hosts are not supported, only a local daemon"; return false; }

        string? socket = null, nameOverride = null;
        var kept = new List<string>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key)
            {
                case "socket": socket = value; break;
                case "name": nameOverride = value; break;
                // the remote driver's own parameters: never passed to the daemon
                case "mode" or "auth" or "no_verify" or "no_tty" or "pkipath" or "command" or "netcat"
                    or "keyfile" or "sshauth" or "known_hosts" or "known_hosts_verify" or "proxy" or "tls_priority":
                    break;
                default: kept.Add(pair); break;
            }
        }
        string name = nameOverride ?? $"{driver}://{path}" + (kept.Count > 0 ? "?" + string.Join('&', kept) : "");
        string socketPath = socket ?? DefaultSocket(driver, path, exists);
        if (SocketPathProblem(socketPath) is { } bad) { problem = $"{quoted}: the socket path {bad}"; return false; }
        parsed = new LibvirtUri(socketPath, name);
        return true;
    }

    /// <summary>What makes <paramref name="path"/> unusable as a unix socket address, or null.</summary>
    static string? SocketPathProblem(string path)
    {
        if (path.Length == 0) return "is empty";
        if (path.Contains('\0')) return "contains a NUL character";
        int bytes = System.Text.Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxSocketPathBytes) return $"is {bytes} bytes long, more than the {MaxSocketPathBytes} a unix socket address holds";
        return null;
    }

    /// <summary>
    /// The socket libvirt's client would use for a local URI without <c>?socket=</c>: the modular
    /// daemon's (<c>virtqemud-sock</c> for qemu, …) when it exists, else the monolithic
    /// <c>libvirt-sock</c>; under <c>/run/libvirt</c>, or the user's runtime directory for <c>/session</c>.
    /// </summary>
    static string DefaultSocket(string driver, string path, Func<string, bool> exists)
    {
        string dir = path == "/session"
            ? Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
                ? runtime
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "libvirt")
            : "/run/libvirt";
        string? modular = driver switch
        {
            "qemu" or "kvm" => "virtqemud",
            "lxc" => "virtlxcd",
            "xen" or "libxl" => "virtxend",
            "ch" => "virtchd",
            "vbox" => "virtvboxd",
            "bhyve" => "virtbhyved",
            "network" => "virtnetworkd",
            "storage" => "virtstoraged",
            "nodedev" => "virtnodedevd",
            "secret" => "virtsecretd",
            "nwfilter" => "virtnwfilterd",
            "interface" => "virtinterfaced",
            _ => null,
        };
        if (modular is not null)
        {
            string candidate = Path.Combine(dir, modular + "-sock");
            if (exists(candidate)) return candidate;
        }
        return Path.Combine(dir, "libvirt-sock");
    }
}

/// <summary>A URI this client cannot open; the message is a sentence of ours, never the runtime's.</summary>
public sealed class LibvirtUriException(string message) : ArgumentException(message);
