using HaCluster.Agents.VirtualDomain;
using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>One domain of the fake daemon.</summary>
public sealed class FakeDomain
{
    public required string Name { get; init; }
    public required string Xml { get; set; }
    public DomainState State { get; set; } = DomainState.Running;
    public bool Persistent { get; set; }
    public int Vcpus { get; set; } = 2;
    public ulong MaxMemoryKiB { get; set; } = 1024 * 1024;
    public DomainRef Ref { get; } = new("", new byte[16], 1);
    public bool Active => State is not (DomainState.Shutoff or DomainState.Crashed);
}

/// <summary>
/// An in-memory libvirt daemon behind <see cref="ILibvirtConnection"/>: domains, pools and
/// networks with libvirt's rules (transient domains vanish when they stop), every call recorded,
/// and the failures the agent must survive: a hung daemon (the deadline passes on the manual
/// clock, then TimeoutException), a refused socket, the NO_DOMAIN race, ignored shutdowns.
/// </summary>
public sealed class FakeLibvirt(ManualClock clock)
{
    readonly object sync = new();
    public ManualClock Clock { get; } = clock;
    public Dictionary<string, FakeDomain> Domains { get; } = [];
    /// <summary>Storage pools and networks: name → active.</summary>
    public Dictionary<string, bool> Pools { get; } = [];
    public Dictionary<string, bool> Networks { get; } = [];
    public List<string> Calls { get; } = [];
    public List<string> OpenedUris { get; } = [];

    public bool Hung { get; set; }
    public bool Refused { get; set; }
    public bool ShutdownIgnored { get; set; }
    public bool GracefulDestroyFails { get; set; }
    /// <summary>
    /// GetState says NO_DOMAIN for a domain the lookup still finds
    /// (tests/integration/libvirt/README.md, "NO_DOMAIN after a power-off").
    /// </summary>
    public bool NoDomainOnGetState { get; set; }
    public LibvirtException? ShutdownError { get; set; }
    public LibvirtException? CreateError { get; set; }
    public LibvirtException? MigrateError { get; set; }
    /// <summary>A snapshot save does not finish before its deadline (a big guest, slow storage); the file is half written.</summary>
    public bool SaveHangs { get; set; }
    /// <summary>The migration call hangs until its deadline.</summary>
    public bool MigrateHangs { get; set; }
    /// <summary>The migration call waits (real time, at most 5 s) until the downtime was set on another connection.</summary>
    public bool MigrationWaitsForDowntime { get; set; }
    /// <summary>A domain created by the fake shuts down right away (a guest that crashes at boot).</summary>
    public bool DomainsDieAtOnce { get; set; }
    /// <summary>Undefine deletes this file, as libvirt does with configs in directories it manages.</summary>
    public string? UndefineDeletesFile { get; set; }
    /// <summary>Runs after an undefine (someone acting on the config's directory meanwhile).</summary>
    public Action? AfterUndefine { get; set; }
    /// <summary>The emulator in the live XML of created domains.</summary>
    public string LiveEmulator { get; set; } = "/usr/bin/qemu-system-x86_64";
    public DomainJobInfo? Job { get; private set; }
    readonly ManualResetEventSlim downtimeSet = new();

    public int Count(string prefix) { lock (sync) return Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal)); }

    public FakeDomain Add(string name, DomainState state = DomainState.Running, bool persistent = false, string? xml = null)
    {
        var d = new FakeDomain { Name = name, Xml = xml ?? DomainXml(name), State = state, Persistent = persistent };
        lock (sync) Domains[name] = d;
        return d;
    }

    public static string DomainXml(string name, string emulator = "/usr/bin/qemu-system-x86_64", string extraDevices = "") =>
        $"<domain type='qemu'><name>{System.Security.SecurityElement.Escape(name)}</name><memory unit='KiB'>1048576</memory>" +
        $"<devices><emulator>{emulator}</emulator>{extraDevices}</devices></domain>";

    public ILibvirtConnection Open(string uri, Deadline deadline)
    {
        lock (sync) OpenedUris.Add(uri);
        if (Refused) throw new LibvirtException(LibvirtErrorCode.NoConnect, "Failed to connect socket to '/x/libvirt-sock': Connection refused");
        HangIfHung(deadline);
        var connection = new Connection(this, uri);
        lock (sync) Sessions.Add($"open {connection.Id} {uri}");
        return connection;
    }

    /// <summary>Every connection's life: "open N URI", "N CALL" for each call on it, "end N" when closed or disposed.</summary>
    public List<string> Sessions { get; } = [];
    int connections;

    void HangIfHung(Deadline deadline)
    {
        if (!Hung) return;
        Clock.Advance(deadline.Remaining + TimeSpan.FromMilliseconds(1));
        throw new TimeoutException("libvirt did not answer call in time");
    }

    static LibvirtException NoDomain(string what) => new(LibvirtErrorCode.NoDomain, $"Domain not found: {what}");

    void Stopped(FakeDomain d, DomainState state = DomainState.Shutoff)
    {
        if (d.Persistent) d.State = state;
        else Domains.Remove(d.Name);
    }

    sealed class Connection(FakeLibvirt daemon, string uri) : ILibvirtConnection
    {
        public readonly int Id = Interlocked.Increment(ref daemon.connections);
        bool broken, ended;
        public string Name => uri;
        public bool IsBroken => broken;

        T Do<T>(string call, Deadline deadline, Func<T> body)
        {
            lock (daemon.sync) { daemon.Calls.Add(call); daemon.Sessions.Add($"{Id} {call}"); }
            if (broken) throw new LibvirtException(LibvirtErrorCode.NoConnect, "the libvirt connection is broken");
            if (deadline.IsExpired) { broken = true; throw new TimeoutException($"no time left for libvirt call {call}"); }
            if (daemon.Hung) { broken = true; daemon.HangIfHung(deadline); }
            lock (daemon.sync) return body();
        }

        void Do(string call, Deadline deadline, Action body) => Do(call, deadline, () => { body(); return true; });

        FakeDomain Find(DomainRef r) => daemon.Domains.TryGetValue(r.Name, out var d) ? d : throw NoDomain($"no domain with matching uuid '{r.UuidString}' ({r.Name})");

        public DomainRef LookupByName(string name, Deadline deadline) => Do($"lookup {name}", deadline, () =>
            daemon.Domains.TryGetValue(name, out var d) ? d.Ref with { Name = name } : throw NoDomain($"no domain with matching name '{name}'"));

        public DomainStateInfo GetState(DomainRef domain, Deadline deadline) => Do($"getstate {domain.Name}", deadline, () =>
        {
            if (daemon.NoDomainOnGetState) throw NoDomain($"no domain with matching uuid '{domain.UuidString}'");
            return new DomainStateInfo(Find(domain).State, 1);
        });

        public DomainInfo GetInfo(DomainRef domain, Deadline deadline) => Do($"getinfo {domain.Name}", deadline, () =>
        {
            var d = Find(domain);
            return new DomainInfo(d.State, d.MaxMemoryKiB, d.MaxMemoryKiB, d.Vcpus, 0);
        });

        public string GetXmlDesc(DomainRef domain, DomainXmlFlags flags, Deadline deadline) => Do($"getxml {domain.Name} {flags}", deadline, () => Find(domain).Xml);

        public DomainRef CreateXml(string xml, DomainCreateFlags flags, Deadline deadline) => Do("createxml", deadline, () =>
        {
            if (daemon.CreateError is { } e) throw e;
            string name = DomainConfig.Parse(xml, out _)!.Name;
            if (daemon.Domains.TryGetValue(name, out var existing))
                throw new LibvirtException(LibvirtErrorCode.OperationInvalid, $"domain '{name}' already exists (state {existing.State})");
            var d = new FakeDomain { Name = name, Xml = LiveXml(xml) };
            daemon.Domains[name] = d;
            if (daemon.DomainsDieAtOnce) daemon.Domains.Remove(name);
            return d.Ref with { Name = name };
        });

        string LiveXml(string xml) =>
            DomainConfig.Parse(xml, out _)!.Emulator is null
                ? xml.Replace("</domain>", $"<devices><emulator>{daemon.LiveEmulator}</emulator></devices></domain>", StringComparison.Ordinal)
                : xml;

        public DomainRef DefineXml(string xml, Deadline deadline) => Do("definexml", deadline, () =>
        {
            string name = DomainConfig.Parse(xml, out _)!.Name;
            if (daemon.Domains.TryGetValue(name, out var d)) { d.Xml = xml; d.Persistent = true; }
            else daemon.Domains[name] = d = new FakeDomain { Name = name, Xml = xml, State = DomainState.Shutoff, Persistent = true };
            return d.Ref with { Name = name };
        });

        public void Create(DomainRef domain, Deadline deadline) => Do($"create {domain.Name}", deadline, () => { Find(domain).State = DomainState.Running; });

        public void Undefine(DomainRef domain, DomainUndefineFlags flags, Deadline deadline) => Do($"undefine {domain.Name}", deadline, () =>
        {
            var d = Find(domain);
            if (d.Active) d.Persistent = false;
            else daemon.Domains.Remove(d.Name);
            if (daemon.UndefineDeletesFile is { } f) File.Delete(f);
            daemon.AfterUndefine?.Invoke();
        });

        public bool IsPersistent(DomainRef domain, Deadline deadline) => Do($"ispersistent {domain.Name}", deadline, () => Find(domain).Persistent);

        public void Shutdown(DomainRef domain, DomainShutdownMode mode, Deadline deadline) => Do($"shutdown {domain.Name} {(uint)mode}", deadline, () =>
        {
            var d = Find(domain);
            if (daemon.ShutdownError is { } e) throw e;
            if (!daemon.ShutdownIgnored) daemon.Stopped(d);
        });

        public void Destroy(DomainRef domain, DomainDestroyFlags flags, Deadline deadline) => Do($"destroy {domain.Name} {flags}", deadline, () =>
        {
            var d = Find(domain);
            if (!d.Active) throw new LibvirtException(LibvirtErrorCode.OperationInvalid, "Requested operation is not valid: domain is not running");
            if (flags.HasFlag(DomainDestroyFlags.Graceful) && daemon.GracefulDestroyFails)
                throw new LibvirtException(LibvirtErrorCode.OperationFailed, "operation failed: failed to kill qemu process with SIGTERM");
            daemon.Stopped(d, DomainState.Shutoff);
        });

        public void Save(DomainRef domain, string toPath, Deadline deadline) => Do($"save {domain.Name} {toPath}", deadline, () =>
        {
            var d = Find(domain);
            if (daemon.SaveHangs)
            {
                File.WriteAllText(toPath, "partial");
                broken = true;
                daemon.Clock.Advance(deadline.Remaining + TimeSpan.FromMilliseconds(1));
                throw new TimeoutException("libvirt did not answer the save call in time");
            }
            // libvirt answers an unusable path with an error of its own, never by failing the connection.
            try { File.WriteAllText(toPath, d.Xml); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LibvirtException(LibvirtErrorCode.SystemError, $"cannot open '{toPath}' for the saved state");
            }
            daemon.Stopped(d);
        });

        public void Restore(string fromPath, Deadline deadline) => Do($"restore {fromPath}", deadline, () =>
        {
            string xml = File.ReadAllText(fromPath);
            string name = DomainConfig.Parse(xml, out _)!.Name;
            daemon.Domains[name] = new FakeDomain { Name = name, Xml = xml };
        });

        public DomainJobInfo GetJobInfo(DomainRef domain, Deadline deadline) => Do($"getjobinfo {domain.Name}", deadline, () =>
        {
            Find(domain);
            return daemon.Job ?? default;
        });

        public void AbortJob(DomainRef domain, Deadline deadline) => Do($"abortjob {domain.Name}", deadline, () => { daemon.Job = null; });

        public void MigratePeerToPeer(DomainRef domain, string destinationUri, IReadOnlyList<TypedParameter> parameters, MigrateFlags flags, Deadline deadline)
        {
            string ps = string.Join(",", parameters.Select(p => $"{p.Field}={(p.Type == TypedParameterType.String ? p.Text : p.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture))}"));
            Do($"migrate {domain.Name} to {destinationUri} [{ps}] {flags}", deadline, () =>
            {
                Find(domain);
                daemon.Job = new DomainJobInfo(2, 1500, 0, 64 << 20, 32 << 20, 32 << 20, 0, 0, 0, 0, 0, 0);
            });
            if (daemon.MigrationWaitsForDowntime) daemon.downtimeSet.Wait(TimeSpan.FromSeconds(5));
            if (daemon.MigrateHangs)
            {
                broken = true;
                daemon.Clock.Advance(deadline.Remaining + TimeSpan.FromMilliseconds(1));
                throw new TimeoutException("libvirt did not answer the migration call in time");
            }
            lock (daemon.sync)
            {
                daemon.Job = null;
                if (daemon.MigrateError is { } e) throw e;
                daemon.Domains.Remove(domain.Name);
            }
        }

        public void MigrateSetMaxDowntime(DomainRef domain, ulong downtimeMs, Deadline deadline)
        {
            Do($"setmaxdowntime {domain.Name} {downtimeMs}", deadline, () => { Find(domain); });
            daemon.downtimeSet.Set();
        }

        public NamedObjectRef NetworkLookupByName(string name, Deadline deadline) => Do($"net-lookup {name}", deadline, () =>
            daemon.Networks.ContainsKey(name) ? new NamedObjectRef(name, new byte[16]) : throw new LibvirtException(LibvirtErrorCode.NoNetwork, $"Network not found: no network with matching name '{name}'"));
        public void NetworkCreate(NamedObjectRef network, Deadline deadline) => Do($"net-start {network.Name}", deadline, () => { daemon.Networks[network.Name] = true; });
        public bool NetworkIsActive(NamedObjectRef network, Deadline deadline) => Do($"net-isactive {network.Name}", deadline, () => daemon.Networks[network.Name]);
        public NamedObjectRef StoragePoolLookupByName(string name, Deadline deadline) => Do($"pool-lookup {name}", deadline, () =>
            daemon.Pools.ContainsKey(name) ? new NamedObjectRef(name, new byte[16]) : throw new LibvirtException(LibvirtErrorCode.NoStoragePool, $"Storage pool not found: no storage pool with matching name '{name}'"));
        public void StoragePoolCreate(NamedObjectRef pool, Deadline deadline) => Do($"pool-start {pool.Name}", deadline, () => { daemon.Pools[pool.Name] = true; });
        public void StoragePoolRefresh(NamedObjectRef pool, Deadline deadline) => Do($"pool-refresh {pool.Name}", deadline, () => { });
        public bool StoragePoolIsActive(NamedObjectRef pool, Deadline deadline) => Do($"pool-isactive {pool.Name}", deadline, () => daemon.Pools[pool.Name]);

        public void Close(Deadline deadline) { lock (daemon.sync) daemon.Calls.Add("close"); End(); }
        public void Dispose() => End();

        void End()
        {
            broken = true;
            lock (daemon.sync)
            {
                if (!ended) daemon.Sessions.Add($"end {Id}");
                ended = true;
            }
        }
    }
}
