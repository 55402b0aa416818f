using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;
using HaCluster.Ocf;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.VirtualDomain;

/// <summary>
/// ocf:hacluster:VirtualDomain — a libvirt domain, a drop-in for ocf:heartbeat:VirtualDomain.
/// All libvirt work goes over the daemon's unix socket (HaCluster.Libvirt): no virsh process.
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

    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    // ---------------------------------------------------------------- the configuration, as validated
    string? defaultUri;
    /// <summary>Set while the agent talks to another daemon (start_resources on a migration target).</summary>
    string? uriOverride;
    /// <summary>
    /// The hypervisor URI, from the parameter as bound now: a reload that restarts the resource
    /// rebinds the old values for the stop without validating again.
    /// </summary>
    string uri => uriOverride ?? (hypervisor.Value.Length > 0 ? hypervisor.Value : defaultUri ??= HypervisorUri.Default(Env.Get, libvirtConf));
    DomainShutdownMode ShutdownFlags => minimalStop ? DomainShutdownMode.Default : ShutdownModes.Parse(shutdownMode.Value, out _) ?? DomainShutdownMode.Default;
    /// <summary>A stop despite invalid parameters: only shutdown and destroy, none of the optional steps.</summary>
    bool minimalStop;
    string domainName = "";
    DomainConfig? domainConfig;
    string? configXml;
    /// <summary>The config file could not be read; the domain is known from the cache of an earlier start.</summary>
    string? configProblem;
    ILibvirtConnection? connection;

    bool SaveConfig => !minimalStop && (saveConfigOnStop.Value || syncConfigOnStop.Value);

    /// <summary>
    /// The snapshot state file. The daemon resolves nothing: a relative snapshot directory is
    /// taken relative to the agent's directory, as libvirt's client library does for virsh save.
    /// </summary>
    string? StateFile => !minimalStop && snapshot.Value is { Length: > 0 } dir ? Path.Combine(Path.GetFullPath(dir), domainName + ".state") : null;
    string? Emulator => DomainCache.Load(Env) is { Emulator: { } cached } c && c.Name == domainName ? cached : domainConfig?.Emulator;

    public override void Validate()
    {
        if (forceStop.Value && snapshot.Value.Length > 0)
            throw OcfError.Configured("the 'force_stop' and 'snapshot' options can not be used together");
        if (stateless.Value && backingfile.Value.Length == 0)
            throw OcfError.Configured("stateless functionality can't be achieved without a backing file (parameter 'backingfile')");
        if (HypervisorUri.Problem(uri) is { } problem)
            throw OcfError.Configured($"hypervisor URI {SafeText.Quote(uri, 200)} cannot be used: {problem}");

        // Only where it is about to be needed: as a validation failure (5) it would make a stop
        // answer "not running" by the probe rule while the domain runs.
        if (syncConfigOnStop.Value && Action is "start" or "validate-all") RequireTool("csync2", "sync_config_on_stop");
        LoadConfig();
    }

    void LoadConfig()
    {
        string path = config.Value;
        string? why = null;
        configProblem = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) why = "does not exist or is not readable";
            else if (info.Length > DomainConfig.MaxBytes) why = $"is larger than {DomainConfig.MaxBytes >> 20} MiB";
            // Not opened at all: a FIFO would block the read, a device (/dev/zero) never end it.
            else if (info.Length == 0) why = "is empty (or not a regular file)";
            else
            {
                configXml = File.ReadAllText(path);
                domainConfig = DomainConfig.Parse(configXml, out var error);
                if (domainConfig is null) why = $"is not a libvirt domain XML: {error}";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            why = $"cannot be read: {e.Message}";
        }
        if (why is null)
        {
            domainName = domainConfig!.Name;
            // The file was edited to name another domain while the resource ran: the stop is for
            // the domain that was started.
            if (Action == "stop" && DomainCache.Load(Env) is { } started && started.Name != domainName)
            {
                Log.LogWarning("configuration file {Config} now names domain {Domain}, but this resource started domain {Started}: stopping {Started}", path, domainName, started.Name, started.Name);
                domainName = started.Name;
            }
            return;
        }

        string reason = $"configuration file {SafeText.Quote(path, 200)} {why}";
        // A started domain is remembered: its stop and monitor must reach it even if its config
        // went away with the shared storage (the shell agent would report it stopped).
        if (Action is "stop" or "monitor" or "status" && DomainCache.Load(Env) is { } cached)
        {
            domainName = cached.Name;
            configProblem = reason;
            Log.LogWarning("{Reason}; using domain {Domain} recorded when the resource was started", reason, cached.Name);
            return;
        }
        throw OcfError.NotInstalled(reason);
    }

    // ---------------------------------------------------------------- libvirt access

    /// <summary>libvirtd timed out or could not be reached: a condition the stop and the monitor work around.</summary>
    sealed class LibvirtUnavailableException(string message, Exception inner) : Exception(message, inner);

    /// <summary>What of the deadline libvirt calls may use in a monitor, leaving time for the /proc fallback.</summary>
    Deadline LibvirtSlice()
    {
        var left = Deadline.Remaining;
        var reserve = TimeSpan.FromTicks(Math.Clamp((long)(left.Ticks * 0.2), Math.Min(TimeSpan.TicksPerSecond, left.Ticks / 2), left.Ticks / 2));
        return Deadline.Reserve(reserve);
    }

    ILibvirtConnection Connect(Deadline slice)
    {
        if (connection is { IsBroken: false }) return connection;
        connection?.Dispose();
        connection = null;
        // A refused connection is retried briefly: libvirtd may be restarting. A monitor has the
        // /proc fallback and a probe may run where libvirtd is not running at all: less for them.
        var retry = slice.Within(TimeSpan.FromSeconds(Action is "monitor" or "status" ? 1 : 3));
        while (true)
        {
            try
            {
                return connection = open(uri, slice);
            }
            catch (LibvirtException e) when (e.IsConnectionFailure)
            {
                if (retry.IsExpired || retry.Remaining < TimeSpan.FromMilliseconds(250))
                    throw new LibvirtUnavailableException($"cannot connect to libvirt at {SafeText.Quote(uri, 200)}: {SafeText.OneLine(e.Message)}", e);
                retry.Sleep(TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException e)
            {
                throw new LibvirtUnavailableException($"libvirtd did not answer at {SafeText.Quote(uri, 200)} within the time this {Action} leaves it", e);
            }
            catch (ArgumentException e)
            {
                throw OcfError.Configured($"hypervisor URI {SafeText.Quote(uri, 200)} cannot be used: {e.Message}");
            }
        }
    }

    /// <summary>Runs one libvirt call; timeouts and lost connections become <see cref="LibvirtUnavailableException"/>.</summary>
    T Call<T>(Deadline slice, Func<ILibvirtConnection, T> call)
    {
        var c = Connect(slice);
        try
        {
            return call(c);
        }
        catch (TimeoutException e)
        {
            DropConnection();
            throw new LibvirtUnavailableException($"libvirtd did not answer within the time this {Action} leaves it", e);
        }
        catch (LibvirtException e) when (e.IsConnectionFailure)
        {
            DropConnection();
            throw new LibvirtUnavailableException($"the connection to libvirtd failed: {SafeText.OneLine(e.Message)}", e);
        }
    }

    void Call(Deadline slice, Action<ILibvirtConnection> call) => Call(slice, c => { call(c); return true; });

    void DropConnection()
    {
        connection?.Dispose();
        connection = null;
    }

    void CloseConnection()
    {
        if (connection is null) return;
        try { connection.Close(Deadline.Within(TimeSpan.FromMilliseconds(500))); }
        catch (Exception e) when (e is TimeoutException or LibvirtException or IOException or ObjectDisposedException) { }
        connection.Dispose();
        connection = null;
    }

    /// <summary>The domain as libvirt sees it: its reference (null when there is none) and state.</summary>
    readonly record struct DomainStatus(DomainRef? Domain, DomainState State, bool Exists)
    {
        /// <summary>Running as far as the cluster is concerned. NOSTATE (a domain being set up, e.g. an incoming migration) and states unknown to this agent count as running: the domain exists and has not stopped.</summary>
        public bool Running => Exists && State is not (DomainState.Shutoff or DomainState.Crashed);
    }

    /// <summary>Lookup and state. VIR_ERR_NO_DOMAIN from either (the race after a power-off) is "no domain".</summary>
    DomainStatus QueryStatus(Deadline slice)
    {
        return Call(slice, c =>
        {
            DomainRef domain;
            try { domain = c.LookupByName(domainName, slice); }
            catch (LibvirtException e) when (e.IsNoDomain) { return new DomainStatus(null, DomainState.Shutoff, false); }
            try
            {
                var state = c.GetState(domain, slice);
                if (!Enum.IsDefined(state.State))
                    Log.LogWarning("domain {Domain} is in state {State}, unknown to this agent: taken as running", domainName, (int)state.State);
                return new DomainStatus(domain, state.State, true);
            }
            catch (LibvirtException e) when (e.IsNoDomain) { return new DomainStatus(null, DomainState.Shutoff, false); }
        });
    }

    /// <summary>Where waiting loops stop polling: the last query still has time to answer and the failure to be reported.</summary>
    Deadline PollEnd => Deadline.Reserve(TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, Deadline.Remaining.Ticks / 10)));

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="until"/> passes (false).</summary>
    bool PollUntil(Deadline until, Func<bool> condition)
    {
        while (true)
        {
            if (condition()) return true;
            if (until.IsExpired) return false;
            until.Sleep(PollInterval);
        }
    }

    /// <summary>Runs an action that needs libvirt: an unreachable libvirtd is a failure with its reason.</summary>
    OcfExitCode WithLibvirt(Func<OcfExitCode> action)
    {
        try { return action(); }
        catch (LibvirtUnavailableException e) { throw OcfError.Generic(e.Message); }
        finally { CloseConnection(); }
    }

    static string Describe(LibvirtException e) => SafeText.OneLine(e.Message);

    // ---------------------------------------------------------------- monitor and status

    public override OcfExitCode Monitor()
    {
        try
        {
            DomainStatus status;
            try { status = QueryStatus(LibvirtSlice()); }
            catch (LibvirtUnavailableException e)
            {
                // The services inside a domain that runs can still be checked.
                var rc = WithoutLibvirt(e);
                if (rc == OcfExitCode.Success && MonitorScriptsProblem() is { } scriptFailed) throw OcfError.Generic(scriptFailed);
                return rc;
            }
            if (!status.Running)
            {
                if (status.Exists) Log.LogDebug("domain {Domain} is {State}", domainName, status.State);
                return OcfExitCode.NotRunning;
            }
            UpdateUtilization(status.Domain!);
            if (MonitorScriptsProblem() is { } failed) throw OcfError.Generic(failed);
            if (SaveConfig && configProblem is null) SaveConfigFile(status.Domain!, LibvirtSlice());
            if (configProblem is null && !File.Exists(DomainCache.PathFor(Env)))
                new DomainCache(domainName, SafeEmulator(domainConfig?.Emulator)).Save(Env);
            return OcfExitCode.Success;
        }
        finally { CloseConnection(); }
    }

    /// <summary>status: the domain's state only (no monitor scripts, no utilization).</summary>
    public override OcfExitCode Status()
    {
        try
        {
            try { return QueryStatus(LibvirtSlice()).Running ? OcfExitCode.Success : OcfExitCode.NotRunning; }
            catch (LibvirtUnavailableException e) { return WithoutLibvirt(e); }
        }
        finally { CloseConnection(); }
    }

    /// <summary>
    /// libvirtd did not answer: the emulator process decides. Present: running. Absent: a probe
    /// says not running (for qemu and lxc the process is the domain); a recurring monitor fails
    /// with the reason, so that Pacemaker recovers the resource and the log says why.
    /// </summary>
    OcfExitCode WithoutLibvirt(LibvirtUnavailableException e)
    {
        var pids = emulators.Find(domainName, Emulator);
        if (pids.Count > 0)
        {
            Log.LogWarning("{Reason}; emulator process {Pid} of domain {Domain} is running", e.Message, pids[0], domainName);
            return OcfExitCode.Success;
        }
        if (!EmulatorCheckIsConclusive)
            throw OcfError.Generic($"{e.Message}; the state of domain {SafeText.Quote(domainName)} cannot be determined without it");
        if (IsProbe)
        {
            Log.LogInformation("{Reason}; no emulator process of domain {Domain}: not running", e.Message, domainName);
            return OcfExitCode.NotRunning;
        }
        string why = e.Message.StartsWith("libvirtd did not answer", StringComparison.Ordinal) ? e.Message : $"libvirtd did not answer ({e.Message})";
        throw OcfError.Generic($"{why}, and no emulator process of domain {SafeText.Quote(domainName)} is running");
    }

    /// <summary>qemu and lxc domains are a local process; other drivers (xen PV) are not found in /proc.</summary>
    bool EmulatorCheckIsConclusive => HypervisorUri.Driver(uri) is "qemu" or "kvm" or "lxc";

    void UpdateUtilization(DomainRef domain)
    {
        bool cpu = autosetCpu.Value, host = autosetHostMemory.Value, hv = autosetHvMemory.Value;
        if (cpu || host || hv)
        {
            DomainInfo info;
            try { info = Call(LibvirtSlice(), c => c.GetInfo(domain, LibvirtSlice())); }
            catch (Exception e) when (e is LibvirtUnavailableException or LibvirtException)
            {
                Log.LogWarning("cannot read the vCPUs and memory of domain {Domain} for its utilization: {Message}", domainName, e.Message);
                info = default;
                cpu = host = hv = false;
            }
            string memory = (info.MaxMemoryKiB / 1024).ToString(CultureInfo.InvariantCulture);
            if (cpu) Utilization("cpu", info.VirtCpuCount.ToString(CultureInfo.InvariantCulture));
            if (host) Utilization("host_memory", memory);
            if (hv) Utilization("hv_memory", memory);
        }
        if (!autosetCpu.Value && unsetCpu.Value) Utilization("cpu", null);
        if (!autosetHostMemory.Value && unsetHostMemory.Value) Utilization("host_memory", null);
        if (!autosetHvMemory.Value && unsetHvMemory.Value) Utilization("hv_memory", null);
    }

    void Utilization(string name, string? value)
    {
        var result = value is null ? Cluster.DeleteUtilization(name) : Cluster.SetUtilization(name, value);
        if (result.Succeeded) return;
        if (result.Error?.Contains("not running", StringComparison.Ordinal) == true)
            Log.LogDebug("utilization {Name} not written: {Error}", name, result.Error);
        else
            Log.LogWarning("cannot {What} utilization {Name}: {Error}", value is null ? "remove" : "set", name, result.Error);
    }

    /// <summary>Runs monitor_scripts in order; the first failure's reason, or null when all succeed.</summary>
    string? MonitorScriptsProblem()
    {
        foreach (var script in monitorScripts.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            string? path = ResolveProgram(script);
            if (path is null)
                return $"monitor command {SafeText.Quote(script)} for domain {SafeText.Quote(domainName)} was not found";
            var result = Processes.Run(new ProcessSpec(path), Deadline);
            if (!result.Succeeded)
                return $"monitor command {SafeText.Quote(script)} for domain {SafeText.Quote(domainName)} {result.Describe()}";
            Log.LogDebug("monitor command {Script} for domain {Domain} succeeded", script, domainName);
        }
        return null;
    }

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

    static string? SafeEmulator(string? emulator) => emulator is not null && emulator.All(c => !char.IsControl(c)) ? emulator : null;

    // ---------------------------------------------------------------- start

    public override OcfExitCode Start() => WithLibvirt(() =>
    {
        var status = QueryStatus(Deadline);
        if (status.Running)
        {
            Log.LogInformation("virtual domain {Domain} already running", domainName);
            RememberDomain(status.Domain!);
            return OcfExitCode.Success;
        }
        SystemdDropIns();

        string? stateFile = StateFile;
        if (stateFile is not null && File.Exists(stateFile))
        {
            try { Call(Deadline, c => c.Restore(stateFile, Deadline)); }
            catch (LibvirtException e)
            {
                throw OcfError.Generic($"failed to restore domain {SafeText.Quote(domainName)} from {SafeText.Quote(stateFile, 200)}: {Describe(e)}");
            }
            TryDelete(stateFile);
            Log.LogInformation("restored domain {Domain} from {StateFile}", domainName, stateFile);
            return WaitUntilStarted();
        }

        if (status.Exists) ClearDefinition(status.Domain!);
        if (startResources.Value) StartResources(uri);

        try
        {
            if (backingfile.Value.Length == 0)
                Call(Deadline, c => c.CreateXml(configXml!, DomainCreateFlags.None, Deadline));
            else
                StartOnBackingFile();
        }
        catch (LibvirtException e)
        {
            throw OcfError.Generic($"failed to start virtual domain {SafeText.Quote(domainName)}: {Describe(e)}");
        }
        Log.LogInformation("started virtual domain {Domain}", domainName);
        return WaitUntilStarted();
    });

    /// <summary>
    /// A defined (persistent) domain must go before the transient one is created; undefining
    /// may delete a config file in a directory libvirt manages, so the file is put back. A
    /// crashed transient domain is destroyed.
    /// </summary>
    void ClearDefinition(DomainRef domain)
    {
        bool persistent;
        try { persistent = Call(Deadline, c => c.IsPersistent(domain, Deadline)); }
        catch (LibvirtException e) when (e.IsNoDomain) { return; }
        if (!persistent)
        {
            try { Call(Deadline, c => c.Destroy(domain, DomainDestroyFlags.Default, Deadline)); }
            catch (LibvirtException e) { Log.LogDebug("destroy of inactive domain {Domain}: {Message}", domainName, e.Message); }
            return;
        }
        string path = config.Value;
        byte[]? backup = null;
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            backup = File.ReadAllBytes(path);
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Log.LogWarning("cannot back up {Config}: {Message}", path, e.Message); }
        try
        {
            Call(Deadline, c => c.Undefine(domain, DomainUndefineFlags.None, Deadline));
            Log.LogInformation("undefined the old persistent definition of domain {Domain} before starting it", domainName);
        }
        catch (LibvirtException e) when (!e.IsNoDomain)
        {
            Log.LogWarning("cannot undefine domain {Domain}: {Message}", domainName, e.Message);
        }
        catch (LibvirtException) { }
        if (backup is not null && !File.Exists(path))
        {
            try
            {
                File.WriteAllBytes(path, backup);
                File.SetUnixFileMode(path, mode);
                Log.LogWarning("libvirt removed {Config} when undefining domain {Domain}; it was restored", path, domainName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LogWarning("cannot restore {Config}: {Message}", path, e.Message);
            }
        }
    }

    void StartResources(string onUri)
    {
        var config = domainConfig!;
        foreach (var pool in config.Pools)
        {
            try
            {
                Call(Deadline, c =>
                {
                    var p = c.StoragePoolLookupByName(pool, Deadline);
                    if (c.StoragePoolIsActive(p, Deadline)) c.StoragePoolRefresh(p, Deadline);
                    else c.StoragePoolCreate(p, Deadline);
                });
            }
            catch (LibvirtException e)
            {
                throw OcfError.Generic($"failed to start required virtual storage pool {SafeText.Quote(pool)} on {SafeText.Quote(onUri, 120)}: {Describe(e)}");
            }
        }
        foreach (var net in config.Networks)
        {
            try
            {
                Call(Deadline, c =>
                {
                    var n = c.NetworkLookupByName(net, Deadline);
                    if (!c.NetworkIsActive(n, Deadline)) c.NetworkCreate(n, Deadline);
                });
            }
            catch (LibvirtException e)
            {
                throw OcfError.Generic($"failed to start required virtual network {SafeText.Quote(net)} on {SafeText.Quote(onUri, 120)}: {Describe(e)}");
            }
        }
    }

    /// <summary>The image of a copy-on-write VM: the config file's path up to the first dot of its name, plus .qcow2.</summary>
    string OverlayPath()
    {
        string path = config.Value;
        string file = Path.GetFileName(path);
        int dot = file.IndexOf('.');
        string stem = dot <= 0 ? file : file[..dot];
        return Path.Combine(Path.GetDirectoryName(path) ?? "", stem + ".qcow2");
    }

    void StartOnBackingFile()
    {
        string overlay = OverlayPath();
        bool fresh = stateless.Value || !(File.Exists(overlay) && new FileInfo(overlay).Length > 0);
        if (fresh)
        {
            string qemuImg = RequireTool("qemu-img", "backingfile");
            string format = BackingFormat(qemuImg);
            var created = Processes.Run(new ProcessSpec(qemuImg, "create", "-f", "qcow2", "-F", format, "-b", backingfile.Value, "--", overlay), Deadline);
            if (!created.Succeeded)
                throw OcfError.Generic($"qemu-img create of {SafeText.Quote(overlay, 200)} on backing file {SafeText.Quote(backingfile.Value, 200)} {created.Describe()}");
        }
        var domain = Call(Deadline, c => c.DefineXml(configXml!, Deadline));
        if (fresh && copyindirs.Value.Trim().Length > 0)
        {
            string copyIn = RequireTool("virt-copy-in", "copyindirs");
            var args = new List<string> { "-c", uri, "-d", domainName };
            args.AddRange(copyindirs.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            args.Add("/");
            var copied = Processes.Run(new ProcessSpec(copyIn, args), Deadline);
            if (!copied.Succeeded)
                throw OcfError.Generic($"virt-copy-in into domain {SafeText.Quote(domainName)} {copied.Describe()}");
        }
        Call(Deadline, c => c.Create(domain, Deadline));
    }

    /// <summary>The backing file's format (qemu-img needs -F since QEMU 6.1); qcow2 when it cannot tell.</summary>
    string BackingFormat(string qemuImg)
    {
        var info = Processes.Run(new ProcessSpec(qemuImg, "info", "--output=json", "--", backingfile.Value), Deadline);
        if (!info.Succeeded)
            throw OcfError.Generic($"qemu-img info of backing file {SafeText.Quote(backingfile.Value, 200)} {info.Describe()}");
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(info.Stdout);
            if (json.RootElement.TryGetProperty("format", out var f) && f.GetString() is { Length: > 0 } format && format.All(char.IsAsciiLetterOrDigit))
                return format;
        }
        catch (System.Text.Json.JsonException) { }
        return "qcow2";
    }

    /// <summary>start and a restore return when a monitor would say running, monitor_scripts included.</summary>
    OcfExitCode WaitUntilStarted()
    {
        string? problem = null;
        DomainRef? domain = null;
        bool up = PollUntil(PollEnd, () =>
        {
            DomainStatus s;
            try { s = QueryStatus(Deadline); }
            catch (LibvirtUnavailableException e) { problem = e.Message; return false; }
            if (!s.Running)
                throw OcfError.Generic($"virtual domain {SafeText.Quote(domainName)} stopped right after it was started ({(s.Exists ? s.State.ToString().ToLowerInvariant() : "it no longer exists")})");
            domain = s.Domain;
            problem = MonitorScriptsProblem();
            return problem is null;
        });
        if (!up) throw OcfError.Generic($"virtual domain {SafeText.Quote(domainName)} did not pass its monitor before the start timeout: {problem}");
        RememberDomain(domain!);
        return OcfExitCode.Success;
    }

    /// <summary>Caches the name and the emulator libvirt actually runs (its live XML's &lt;emulator&gt;).</summary>
    void RememberDomain(DomainRef domain)
    {
        string? emulator = domainConfig?.Emulator;
        try
        {
            string live = Call(Deadline, c => c.GetXmlDesc(domain, DomainXmlFlags.None, Deadline));
            if (DomainConfig.Parse(live, out _) is { Emulator: { } e }) emulator = e;
        }
        catch (LibvirtException e) { Log.LogDebug("cannot read the live XML of {Domain}: {Message}", domainName, e.Message); }
        if (!new DomainCache(domainName, SafeEmulator(emulator)).Save(Env))
            Log.LogWarning("cannot record domain {Domain} under {Directory}: a stop with an unreadable config would not find it", domainName, Env.RscTmp);
    }

    /// <summary>
    /// Where systemd runs, order the cluster's shutdown before libvirtd's (resource-agents#1087),
    /// as the shell agent does with its drop-ins.
    /// </summary>
    void SystemdDropIns()
    {
        if (systemdUnitDir is null || !Directory.Exists(systemdUnitDir)) return;
        string dir = Path.Combine(systemdUnitDir, "resource-agents-deps.target.d");
        bool changed = false;
        try
        {
            Directory.CreateDirectory(dir);
            changed |= WriteIfChanged(Path.Combine(dir, "99-VirtualDomain-libvirt.conf"), "[Unit]\nAfter=libvirtd.service\n");
            changed |= WriteIfChanged(Path.Combine(dir, "99-VirtualDomain-machines.conf"), "[Unit]\nWants=virt-guest-shutdown.target\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogWarning("cannot write the systemd drop-ins in {Directory}: {Message}", dir, e.Message);
            return;
        }
        string? systemctl = ResolveProgram("systemctl");
        if (systemctl is null) return;
        var slice = Deadline.Within(TimeSpan.FromSeconds(10));
        if (changed) Processes.Run(new ProcessSpec(systemctl, "daemon-reload"), slice);
        Processes.Run(new ProcessSpec(systemctl, "start", "virt-guest-shutdown.target"), slice);
    }

    static bool WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content) return false;
        File.WriteAllText(path, content);
        return true;
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
