using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// start: a transient domain from the config file (or restored from a snapshot, or defined on a
// copy-on-write image of backingfile), done when a monitor would say it runs.
public sealed partial class VirtualDomainAgent
{
    public override OcfExitCode Start() => WithLibvirt(() =>
    {
        string name = Config.DomainName;
        var status = QueryStatus(Deadline);
        if (status.Running)
        {
            LogAlreadyRunning(Log, name);
            RememberDomain(status.Domain!);
            return OcfExitCode.Success;
        }
        SystemdDropIns();

        string? stateFile = Config.StateFile;
        if (stateFile is not null && File.Exists(stateFile))
        {
            try { Call(Deadline, c => c.Restore(stateFile, Deadline)); }
            catch (LibvirtException e)
            {
                throw OcfError.Generic($"failed to restore domain {SafeText.Quote(name)} from {SafeText.Quote(stateFile, 200)}: {Describe(e)}");
            }
            TryDelete(stateFile);
            LogRestored(Log, name, stateFile);
            return WaitUntilStarted();
        }

        if (status.Exists) ClearDefinition(status.Domain!);
        if (startResources.Value) StartResources(ConnectUri);

        try
        {
            if (backingfile.Value.Length == 0)
                Call(Deadline, c => c.CreateXml(Config.ConfigXml!, DomainCreateFlags.None, Deadline));
            else
                StartOnBackingFile();
        }
        catch (LibvirtException e)
        {
            throw OcfError.Generic($"failed to start virtual domain {SafeText.Quote(name)}: {Describe(e)}");
        }
        LogStarted(Log, name);
        return WaitUntilStarted();
    });

    /// <summary>
    /// A defined (persistent) domain must go before the transient one is created; undefining
    /// may delete a config file in a directory libvirt manages, so the file is put back. A
    /// crashed transient domain is destroyed.
    /// </summary>
    void ClearDefinition(DomainRef domain)
    {
        string name = Config.DomainName;
        bool persistent;
        try { persistent = Call(Deadline, c => c.IsPersistent(domain, Deadline)); }
        catch (LibvirtException e) when (e.IsNoDomain) { return; }
        if (!persistent)
        {
            try { Call(Deadline, c => c.Destroy(domain, DomainDestroyFlags.Default, Deadline)); }
            catch (LibvirtException e) { LogInactiveDestroyFailed(Log, name, e.Message); }
            return;
        }
        string path = Config.ConfigFile;
        byte[]? backup = null;
        var like = AtomicWriteOptions.LikeExisting(path);
        try { backup = BoundedFile.ReadAllBytes(path, Deadline, DomainConfig.MaxBytes); }
        catch (FileException e) { LogConfigBackupFailed(Log, path, e.Cause); }
        try
        {
            Call(Deadline, c => c.Undefine(domain, DomainUndefineFlags.None, Deadline));
            LogUndefined(Log, name);
        }
        catch (LibvirtException e) when (!e.IsNoDomain)
        {
            LogUndefineFailed(Log, name, e.Message);
        }
        catch (LibvirtException) { }
        if (backup is not null && !Exists(path))
        {
            // Put back as a new file (unpredictable temporary name, rename): never through
            // whatever someone may have placed at the name meanwhile.
            try
            {
                AtomicFile.Write(path, backup, like);
                LogConfigRestored(Log, path, name);
            }
            catch (FileException e)
            {
                LogConfigRestoreFailed(Log, path, e.Cause);
            }
        }
    }

    /// <summary>Anything at <paramref name="path"/>, a dangling link included.</summary>
    static bool Exists(string path)
    {
        try { return new FileInfo(path) is { Exists: true } || new FileInfo(path).LinkTarget is not null || Directory.Exists(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return true; }
    }

    /// <summary>start_resources: the storage pools and networks of the domain XML, started (or refreshed) on <paramref name="onUri"/>.</summary>
    void StartResources(string onUri)
    {
        var domain = Config.Domain!;
        foreach (var pool in domain.Pools)
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
        foreach (var net in domain.Networks)
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
        string path = Config.ConfigFile;
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
        var domain = Call(Deadline, c => c.DefineXml(Config.ConfigXml!, Deadline));
        if (fresh && copyindirs.Value.Trim().Length > 0)
        {
            string copyIn = RequireTool("virt-copy-in", "copyindirs");
            var args = new List<string> { "-c", ConnectUri, "-d", Config.DomainName };
            args.AddRange(copyindirs.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            args.Add("/");
            var copied = Processes.Run(new ProcessSpec(copyIn, args), Deadline);
            if (!copied.Succeeded)
                throw OcfError.Generic($"virt-copy-in into domain {SafeText.Quote(Config.DomainName)} {copied.Describe()}");
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
        string name = Config.DomainName;
        string? problem = null;
        DomainRef? domain = null;
        bool up = PollUntil(PollEnd, () =>
        {
            DomainStatus s;
            try { s = QueryStatus(Deadline); }
            catch (LibvirtUnavailableException e) { problem = e.Message; return false; }
            if (!s.Running)
                throw OcfError.Generic($"virtual domain {SafeText.Quote(name)} stopped right after it was started ({(s.Exists ? s.State.ToString().ToLowerInvariant() : "it no longer exists")})");
            domain = s.Domain;
            problem = MonitorScriptsProblem();
            return problem is null;
        });
        if (!up) throw OcfError.Generic($"virtual domain {SafeText.Quote(name)} did not pass its monitor before the start timeout: {problem}");
        RememberDomain(domain!);
        return OcfExitCode.Success;
    }

    /// <summary>Caches the name and the emulator libvirt actually runs (its live XML's &lt;emulator&gt;).</summary>
    void RememberDomain(DomainRef domain)
    {
        string name = Config.DomainName;
        string? emulator = Config.Domain?.Emulator;
        try
        {
            string live = Call(Deadline, c => c.GetXmlDesc(domain, DomainXmlFlags.None, Deadline));
            if (DomainConfig.Parse(live, out _) is { Emulator: { } e }) emulator = e;
        }
        catch (LibvirtException e) { LogLiveXmlUnreadable(Log, name, e.Message); }
        if (!new DomainCache(name, SafeEmulator(emulator)).Save(Env))
            LogDomainNotRecorded(Log, name, Env.RscTmp);
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
            LogDropInsFailed(Log, dir, ExceptionText.Describe(e));
            return;
        }
        string? systemctl = ResolveProgram("systemctl");
        if (systemctl is null) return;
        var slice = Deadline.Within(TimeSpan.FromSeconds(10));
        if (changed) Processes.Run(new ProcessSpec(systemctl, "daemon-reload"), slice);
        Processes.Run(new ProcessSpec(systemctl, "start", "virt-guest-shutdown.target"), slice);
    }

    bool WriteIfChanged(string path, string content)
    {
        if (BoundedFile.ReadAllTextIfExists(path, Deadline, 64 * 1024, mayBlock: false) == content) return false;
        AtomicFile.WriteText(path, content, new AtomicWriteOptions { Mode = (UnixFileMode)0x1a4 /* 0644: systemd reads it */ });
        return true;
    }
}
