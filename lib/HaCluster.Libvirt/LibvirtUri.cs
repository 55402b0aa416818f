namespace HaCluster.Libvirt;

/// <summary>
/// A local libvirt URI taken apart the way libvirt's remote driver does it: the daemon socket to
/// connect to and the name to send in CONNECT_OPEN (the URI without transport and without the
/// client-side query parameters).
/// </summary>
public readonly record struct LibvirtUri(string SocketPath, string Name)
{
    /// <summary>
    /// <c>driver[+unix]:///path[?socket=PATH&amp;...]</c>. Remote hosts and other transports (tls, ssh,
    /// tcp, libssh) are refused with <see cref="ArgumentException"/>: this client speaks only to a
    /// local daemon.
    /// </summary>
    public static LibvirtUri Parse(string uri) => Parse(uri, File.Exists);

    internal static LibvirtUri Parse(string uri, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(uri);
        int sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw new ArgumentException($"'{uri}' is not a libvirt URI (driver:///path)", nameof(uri));
        string scheme = uri[..sep];
        string rest = uri[(sep + 3)..];
        string driver = scheme, transport = "";
        int plus = scheme.IndexOf('+');
        if (plus >= 0) { driver = scheme[..plus]; transport = scheme[(plus + 1)..]; }
        if (driver.Length == 0) throw new ArgumentException($"'{uri}' names no driver", nameof(uri));
        if (transport.Length != 0 && transport != "unix")
            throw new ArgumentException($"'{uri}': only the local unix transport is supported, not '{transport}'", nameof(uri));

        string query = "";
        int q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        int slash = rest.IndexOf('/');
        string host = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : rest[slash..];
        if (host.Length != 0)
            throw new ArgumentException($"'{uri}': remote hosts are not supported, only a local daemon", nameof(uri));

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
        return new LibvirtUri(socket ?? DefaultSocket(driver, path, exists), name);
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
