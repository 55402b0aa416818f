using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// ocf:hacluster:VirtualDomain — a libvirt domain, a drop-in for ocf:heartbeat:VirtualDomain.
/// All libvirt work goes over the daemon's unix socket (HaCluster.Libvirt): no virsh process.
/// This file holds the constructor and its seams, the state of one invocation and
/// <see cref="Validate"/>; the other partial files hold the meta-data, libvirt access, one family
/// of actions each (Status, Utilization, Start, Stop, Migration, SavedConfig, Reload) and every
/// log message (VirtualDomainAgent.Log.cs).
/// </summary>
public sealed partial class VirtualDomainAgent : ResourceAgent
{
    readonly LibvirtOpener open;
    readonly IEmulatorProcesses emulators;
    readonly string libvirtConf;
    readonly string? systemdUnitDir;

    /// <param name="open">How connections are opened (tests pass a fake daemon).</param>
    /// <param name="emulators">The emulator processes, for when libvirtd does not answer.</param>
    /// <param name="libvirtConf">The libvirt client configuration with uri_default.</param>
    /// <param name="systemdUnitDir">/run/systemd/system, or null where systemd does not run.</param>
    public VirtualDomainAgent(LibvirtOpener? open = null, IEmulatorProcesses? emulators = null,
        string? libvirtConf = null, string? systemdUnitDir = "/run/systemd/system")
    {
        this.open = open ?? LibvirtConnection.Opener;
        this.emulators = emulators ?? new ProcEmulatorProcesses();
        this.libvirtConf = libvirtConf ?? HypervisorUri.SystemConfig;
        this.systemdUnitDir = systemdUnitDir;
    }

    /// <summary>The configuration of this invocation, as <see cref="Validate"/> found it.</summary>
    VirtualDomainConfiguration Config => configuration ?? throw new InvalidOperationException("the VirtualDomain agent has not been validated");
    VirtualDomainConfiguration? configuration;

    /// <summary>The open connection to libvirtd, reused by the calls of one action.</summary>
    ILibvirtConnection? connection;

    /// <summary>Set while the agent talks to another daemon (start_resources on a migration target).</summary>
    string? uriOverride;

    /// <summary>Where connections go: the hypervisor URI, or the migration target's while its resources are started.</summary>
    string ConnectUri => uriOverride ?? Config.Uri;

    /// <summary>Kept back from libvirt in a stop for killing the emulator if libvirtd stops answering.</summary>
    TimeSpan killReserve;

    /// <summary>
    /// Checks the parameters and reads the config file into one immutable record: the host calls
    /// this before every action but meta-data and usage, with the values that action is to use
    /// (a reload that restarts the resource validates the old values before its stop).
    /// </summary>
    public override void Validate() => configuration = ValidConfiguration();

    VirtualDomainConfiguration ValidConfiguration()
    {
        if (forceStop.Value && snapshot.Value.Length > 0)
            throw OcfError.Configured("the 'force_stop' and 'snapshot' options can not be used together");
        if (stateless.Value && backingfile.Value.Length == 0)
            throw OcfError.Configured("stateless functionality can't be achieved without a backing file (parameter 'backingfile')");
        string uri = ConfiguredUri();
        if (HypervisorUri.Problem(uri) is { } problem)
            throw OcfError.Configured($"hypervisor URI {SafeText.Quote(uri, 200)} cannot be used: {problem}");

        // Only where it is about to be needed: as a validation failure (5) it would make a stop
        // answer "not running" by the probe rule while the domain runs.
        if (syncConfigOnStop.Value && Action is "start" or "validate-all") RequireTool("csync2", "sync_config_on_stop");
        return ReadConfigFile(uri, minimal: false);
    }

    /// <summary>The hypervisor parameter, or libvirt's default URI when it is empty.</summary>
    string ConfiguredUri() => hypervisor.Value.Length > 0 ? hypervisor.Value : HypervisorUri.Default(Env.Get, libvirtConf);

    /// <summary>
    /// Reads the config file into the configuration. <paramref name="minimal"/>: for a stop
    /// despite invalid parameters, which only shuts down and destroys.
    /// </summary>
    VirtualDomainConfiguration ReadConfigFile(string uri, bool minimal)
    {
        // Null when the parameter failed to bind (a stop despite invalid values).
        string path = configFile.Value ?? "";
        string? why = null, xml = null;
        DomainConfig? domain = null;
        try
        {
            // Opened without blocking on a FIFO, a regular file or an error, bounded, and on a
            // thread given up at the deadline: the config is often on shared storage whose server
            // may be gone.
            xml = BoundedFile.ReadAllText(path, Deadline, DomainConfig.MaxBytes);
            if (xml.Length == 0) why = "is empty";
            else
            {
                domain = DomainConfig.Parse(xml, out var error);
                if (domain is null) why = $"is not a libvirt domain XML: {error}";
            }
        }
        catch (FileException e)
        {
            why = e.Problem switch
            {
                FileProblem.NotFound => "does not exist or is not readable",
                FileProblem.TooLarge => $"is larger than {DomainConfig.MaxBytes >> 20} MiB",
                FileProblem.TimedOut => "could not be read before the deadline (is its file system reachable?)",
                _ => $"cannot be read: {e.Cause}",
            };
        }
        if (why is null)
        {
            string name = domain!.Name;
            // The file was edited to name another domain while the resource ran: the stop is for
            // the domain that was started.
            if (Action == "stop" && DomainCache.Load(Env) is { } started && started.Name != name)
            {
                LogConfigNamesAnotherDomain(Log, path, name, started.Name, started.Name);
                name = started.Name;
            }
            return Configuration(uri, minimal, name, domain, xml, configProblem: null);
        }

        string reason = $"configuration file {SafeText.Quote(path, 200)} {why}";
        // A started domain is remembered: its stop and monitor must reach it even if its config
        // went away with the shared storage (the shell agent would report it stopped).
        if (Action is "stop" or "monitor" or "status" && DomainCache.Load(Env) is { } cached)
        {
            LogUsingRecordedDomain(Log, reason, cached.Name);
            return Configuration(uri, minimal, cached.Name, domain: null, xml: null, configProblem: reason);
        }
        throw OcfError.NotInstalled(reason);
    }

    VirtualDomainConfiguration Configuration(string uri, bool minimal, string name, DomainConfig? domain, string? xml, string? configProblem) =>
        new(configFile.Value ?? "", uri, name, domain, xml, configProblem,
            ShutdownMode: minimal ? DomainShutdownMode.Default : ShutdownModes.Parse(shutdownMode.Value, out _) ?? DomainShutdownMode.Default,
            SnapshotDirectory: minimal ? "" : snapshot.Value ?? "",
            SaveConfig: !minimal && (saveConfigOnStop.Value || syncConfigOnStop.Value));

    public override OcfExitCode ValidateAll()
    {
        // Checked here and in migrate_to only: an unknown option must not fail probes and stops.
        MigrationPlan.ParseOptions(migrateOptions.Value);
        return OcfExitCode.Success;
    }

    // What several action families share.

    /// <summary>The emulator to look for in /proc: the one recorded at start, else the config file's.</summary>
    string? Emulator => DomainCache.Load(Env) is { Emulator: { } cached } c && c.Name == Config.DomainName ? cached : Config.Domain?.Emulator;

    /// <summary>qemu and lxc domains are a local process; other drivers (xen PV) are not found in /proc.</summary>
    bool EmulatorCheckIsConclusive => HypervisorUri.Driver(ConnectUri) is "qemu" or "kvm" or "lxc";

    static string? SafeEmulator(string? emulator) => emulator is not null && emulator.All(c => !char.IsControl(c)) ? emulator : null;

    /// <summary>A program named by the configuration: a path as given, a bare name through PATH.</summary>
    string? ResolveProgram(string name)
    {
        if (name.Contains('/'))
        {
            string full;
            try { full = Path.GetFullPath(name); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return null; }
            return Processes.IsInstalled(full) ? full : null;
        }
        foreach (var dir in (Env.Get("PATH") is { Length: > 0 } p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            if (!dir.StartsWith('/')) continue;
            string candidate = Path.Combine(dir, name);
            if (Processes.IsInstalled(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>A tool the configuration needs: found in the usual directories, or "not installed" (5).</summary>
    string RequireTool(string name, string purpose)
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin" })
        {
            string candidate = Path.Combine(dir, name);
            if (Processes.IsInstalled(candidate)) return candidate;
        }
        throw OcfError.NotInstalled($"{name} is not installed (needed for {purpose})");
    }

    /// <summary>Removes the name itself (a link there, not what it points to); failures are not the action's.</summary>
    static void TryDelete(string path)
    {
        try { AtomicFile.Remove(path); }
        catch (FileException) { }
    }
}
