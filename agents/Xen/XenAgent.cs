using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Xen;
using Microsoft.Extensions.Logging;

namespace HaCluster.Agents.Xen;

/// <summary>
/// ocf:hacluster:Xen — a Xen domU on the xl toolstack, a drop-in for ocf:heartbeat:Xen. Every
/// xl call is one process with an argument array (no shell, no sed, no awk); a monitor is exactly
/// one <c>xl list NAME</c>, whose row also gives the utilization.
/// </summary>
public sealed class XenAgent : ResourceAgent
{
    /// <summary>The directories searched for xl when PATH is unset (Pacemaker's execd sets one).</summary>
    const string DefaultPath = "/usr/sbin:/usr/bin:/sbin:/bin";

    readonly Func<IProcessRunner, string, IXlToolstack> openXl;
    IXlToolstack? xl;
    string domain = "";
    XlConfig? config;
    bool configRead;

    /// <param name="openXl">Makes the toolstack binding for the xl found in PATH (tests pass a fake).</param>
    public XenAgent(Func<IProcessRunner, string, IXlToolstack>? openXl = null)
    {
        this.openXl = openXl ?? ((runner, path) => new XlToolstack(runner, path));
    }

    public override string Name => "Xen";
    public override string ShortDescription => "Manages Xen unprivileged domains (DomUs)";
    public override string LongDescription => """
        Resource Agent for the Xen Hypervisor. Manages Xen virtual machine instances by mapping
        cluster resource start and stop to xl create and shutdown, respectively. A drop-in for
        ocf:heartbeat:Xen with the same parameters, on the xl toolstack; every xl call is one
        process with its arguments passed as they are, never through a shell.

        The domain name is the name parameter, else the name setting of the xmfile (read with xl's
        configuration syntax), else the resource's id. Set name if the file could be missing (on
        shared storage): a probe can then still tell that the domain runs.

        Live migration (meta attribute allow-migrate=true) runs xl migrate over ssh. Debian's Xen
        has no shadow paging, and without it PV guests cannot be live-migrated (PVH and HVM guests
        can): migrate_to of a PV guest on such a hypervisor fails at once with a reason saying so,
        and Pacemaker stops and starts the guest instead.

        Differences from ocf:heartbeat:Xen:
        - The xmfile is never modified. With allow_mem_management the shell agent rewrites its
          "memory=" line with sed; this agent passes memory=N on the xl create command line, which
          xl applies on top of the file (the domain gets the same memory).
        - The name setting of the xmfile is parsed as xl parses it (quotes, escapes, comments, the
          last setting wins), not cut out with awk and sed. Names xl would take as a domain id (all
          digits), as an option (a leading '-'), Domain-0, and names with quotes or backslashes are
          refused (exit 6) when given as name, and ignored (the resource id is used) in the file.
        - xmfile must be an absolute path (exit 6 otherwise); reserved_Dom0_memory and
          shutdown_timeout must be whole numbers of MiB and seconds (exit 6 otherwise).
        - A probe or monitor of a running domain answers "running" even when the xmfile is
          missing (the domain name does not depend on it when name is set); only when the domain
          is not running does a missing xmfile count as "not installed": a probe answers 7, a
          recurring monitor 1, stop 0, start and validate-all 5.
        - An error of xl other than "invalid domain identifier" (xenstored unreachable, say) is a
          failure (exit 1 with xl's message), not "stopped".
        - Every wait is bounded by the action's timeout: start waits for the domain (and the
          monitor_scripts) until then instead of forever, migrate_from until then, and stop always
          keeps time for xl destroy: the graceful part (shutdown_timeout, or 2/3 of the stop
          timeout) is cut short to leave at least 2 s and up to a quarter of the stop timeout for
          the destroy. If the domain survives xl destroy until the timeout, stop fails with a
          reason instead of being killed.
        - A failed xl shutdown request (a guest without PV drivers) escalates to xl destroy at
          once instead of waiting out the shutdown timeout. After a stop that found no domain, no
          extra xl destroy is run: the exit status of xl list is authoritative on xl.
        - Memory management lists the domains with one xl list instead of one xl list per domain.
        - Utilization (autoset_utilization_cpu, autoset_utilization_hv_memory) comes from the row
          of the monitor's own xl list and is written only when it changed: a monitor starts no
          crm_resource process when nothing changed.
        - monitor_scripts are started directly, each word one program (a name without '/' is
          looked up in PATH), without a shell.
        - reload is advertised: only the tuning parameters changed, nothing is restarted.
        - Only the xl toolstack is supported (xm and xen-list are gone from current Xen).
        """;

    // ---------------------------------------------------------------- parameters
    readonly StringParameter xmfile = new("xmfile", "Xen control file", """
        Absolute path to the Xen control file, for this virtual machine (xl.cfg format). It is
        read, never written.
        """)
    {
        Required = true,
        Unique = true,
        Default = "/etc/xen/vm/MyDomU",
        Check = v => v.StartsWith('/') ? null : "must be an absolute path",
    };

    readonly StringParameter domainName = new("name", "Xen DomU name", """
        Name of the virtual machine. Default: the name setting of the xmfile, else the resource id.
        """)
    {
        Unique = true,
        Check = v => v.Length == 0 ? null : InvalidDomainName(v),
    };

    readonly StringParameter shutdownTimeout = new("shutdown_timeout", "Shutdown escalation timeout", """
        The Xen agent will first try an orderly shutdown using xl shutdown. Should this not
        succeed within this timeout (seconds), the agent will escalate to xl destroy, forcibly
        killing the node. If this is not set, it will default to two-third of the stop action
        timeout. Setting this value to 0 forces an immediate destroy. It is cut short when the stop
        timeout would leave too little time for the destroy.
        """)
    {
        Reloadable = true,
        Check = v => v.Length == 0 || IsWholeNumber(v) ? null : "must be a whole number of seconds",
    };

    readonly BooleanParameter shutdownAcpi = new("shutdown_acpi", "Simulate power button event on shutdown", """
        Handle shutdown by simulating an ACPI power button event (xl trigger DOMAIN power). Enable
        this to allow graceful shutdown for HVM domains without installed PV drivers.
        """)
    { Reloadable = true };

    readonly BooleanParameter allowMemManagement = new("allow_mem_management", "Use dynamic memory management", """
        This parameter enables dynamic adjustment of memory for start and stop actions used for
        Dom0 and the DomUs: (total_memory - reserved_Dom0_memory) is shared evenly by the running
        domUs (xl mem-set), and a starting domain gets its share as memory=N on the xl create
        command line. The default is to not adjust memory dynamically.
        """)
    { Reloadable = true };

    readonly StringParameter nodeIpAttribute = new("node_ip_attribute", "Node attribute containing target IP address", """
        In case of a live migration, the system will default to using the IP address associated
        with the hostname via DNS or /etc/hosts. This parameter allows you to specify a node
        attribute that will be queried instead for the target node, overriding the IP address.
        This allows you to use a dedicated network for live migration traffic to a specific node.
        An empty value or "(null)" falls back to the node name. Warning: make very sure the IP
        address does point to the right node. Or else the live migration will end up somewhere
        else, greatly confusing the cluster and causing havoc.
        """)
    { Reloadable = true };

    readonly StringParameter reservedDom0Memory = new("reserved_Dom0_memory", "Minimum Dom0 memory", """
        In case memory management is used, this parameter defines the minimum amount of memory
        (MiB) to be reserved for the dom0. The default minimum memory is 512MB.
        """)
    {
        Default = "512",
        Reloadable = true,
        Check = v => v.Length == 0 || IsWholeNumber(v) ? null : "must be a whole number of MiB",
    };

    readonly BooleanParameter autosetUtilizationCpu = new("autoset_utilization_cpu", "Enable auto-setting the CPU utilization of the resource", """
        If set true, the agent will detect the number of domain's vCPUs from Xen, and put it into
        the CPU utilization of the resource when the monitor is executed. Before enabling make sure
        node utilization is also set (using NodeUtilization agent or manually) or the resource
        might not be able to start anywhere.
        """)
    { Reloadable = true };

    readonly BooleanParameter autosetUtilizationHvMemory = new("autoset_utilization_hv_memory", "Enable auto-setting the hv_memory utilization of the resource", """
        If set true, the agent will detect the number of memory from Xen, and put it into the
        hv_memory utilization of the resource when the monitor is executed. Before enabling make
        sure node utilization is also set (using NodeUtilization agent or manually) or the
        resource might not be able to start anywhere.
        """)
    { Reloadable = true };

    readonly StringParameter monitorScripts = new("monitor_scripts", "list of space separated monitor scripts", """
        To additionally monitor services within the unprivileged domain, add this parameter with a
        list of scripts to monitor. Each space-separated word is one program, started without
        arguments and without a shell (a name without '/' is looked up in PATH); any exit status
        other than 0 makes the monitor fail.
        """)
    { Reloadable = true };

    public override IReadOnlyList<Parameter> Parameters =>
    [
        xmfile, domainName, shutdownTimeout, shutdownAcpi, allowMemManagement, nodeIpAttribute,
        reservedDom0Memory, autosetUtilizationCpu, autosetUtilizationHvMemory, monitorScripts,
    ];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(60),
        ActionSpec.Stop(40),
        ActionSpec.MigrateFrom(120),
        ActionSpec.MigrateTo(120),
        ActionSpec.Monitor(30, intervalSeconds: 10),
        // Not in the shell agent's meta-data, but it answers status (raw 0/7) and so does this.
        ActionSpec.Status(30, intervalSeconds: 10),
        // A reload whose changes need a restart is a stop and a start: their timeouts together.
        ActionSpec.Reload(100),
        ActionSpec.MetaData(5),
        ActionSpec.ValidateAll(5),
    ];

    IXlToolstack Xl => xl ?? throw new InvalidOperationException("Validate has not run");

    // ---------------------------------------------------------------- validation
    public override void Validate()
    {
        xl = openXl(Processes, FindXl());
        configRead = false;
        domain = ResolveDomainName();
        // The file is needed to create the domain; for everything else the name is enough.
        if (Action is "start" or "validate-all" && !File.Exists(xmfile.Value))
            throw XmfileMissing();
    }

    /// <summary>
    /// Why a domain name is not usable with xl, or null. xl takes a name of digits as a domain id,
    /// a leading '-' as an option; Domain-0 is dom0 itself; quotes and backslashes would change the
    /// meaning of the name="…" setting on the create command line.
    /// </summary>
    static string? InvalidDomainName(string name)
    {
        if (name.StartsWith('-')) return "must not begin with '-' (xl would take it as an option)";
        if (name.All(char.IsAsciiDigit)) return "must not be a number (xl would take it as a domain id)";
        if (name == "Domain-0") return "must not be Domain-0 (dom0 itself)";
        if (name.IndexOfAny(['"', '\'', '\\']) >= 0) return "must not contain quotes or backslashes";
        return null;
    }

    static bool IsWholeNumber(string v) => v.Length <= 9 && v.All(char.IsAsciiDigit);

    string FindXl()
    {
        string path = Env.Get("PATH") is { Length: > 0 } p ? p : DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            if (!dir.StartsWith('/')) continue;
            string candidate = Path.Combine(dir, "xl");
            if (Processes.IsInstalled(candidate)) return candidate;
        }
        throw OcfError.NotInstalled("xl (the Xen toolstack) is not installed: not found in PATH");
    }

    /// <summary>The parsed xmfile (read once, when first needed), or null when it is missing, unreadable or not xl syntax (xl will say why on start).</summary>
    XlConfig? Config
    {
        get
        {
            if (!configRead) { config = ReadConfig(); configRead = true; }
            return config;
        }
    }

    XlConfig? ReadConfig()
    {
        string path = xmfile.Value;
        if (!File.Exists(path)) return null;
        try { return XlConfig.Load(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XlConfigException)
        {
            if (ShouldWarnAboutConfiguration)
                Log.LogWarning("cannot read the xmfile {File}: {Problem}", SafeText.Quote(path, 200), SafeText.OneLine(e.Message));
            return null;
        }
    }

    string ResolveDomainName()
    {
        if (domainName.Value.Length > 0) return domainName.Value;
        if (Config?.Name is { Length: > 0 } fromFile)
        {
            // The shell agent rejects '%' and whitespace (Python-era name templates); the others
            // are names xl would misread (see InvalidDomainName).
            if (fromFile.IndexOfAny(['%', ' ', '\t', '\n', '\r']) < 0 && InvalidDomainName(fromFile) is null) return fromFile;
            if (ShouldWarnAboutConfiguration)
                Log.LogWarning("the name {Name} in the xmfile is not usable; using the resource id {Id}", SafeText.Quote(fromFile), Instance);
        }
        return Instance;
    }

    OcfException XmfileMissing() =>
        OcfError.NotInstalled($"config file {SafeText.Quote(xmfile.Value, 200)} for domain {SafeText.Quote(domain)} does not exist");

    // ---------------------------------------------------------------- status
    /// <summary>One xl list: the row when the domain exists, null when xl says there is no such domain.</summary>
    XlListing List(string name, Deadline deadline)
    {
        var l = Xl.List(name, deadline);
        if (l.State == XlDomainState.Failed)
            throw OcfError.Generic($"cannot tell whether domain {SafeText.Quote(name)} runs: xl list {l.Result.Describe()}");
        return l;
    }

    /// <summary>
    /// xl list, retried once a second for up to 5 s while it says "no such domain": a rebooting
    /// guest vanishes from the list for a second or two.
    /// </summary>
    XlListing ListWithRebootRetry(string name, bool warn)
    {
        var l = List(name, Deadline);
        var window = Deadline.Within(TimeSpan.FromSeconds(5.5));
        int retries = 5;
        while (!l.Exists && retries-- > 0 && window.Remaining >= TimeSpan.FromSeconds(1))
        {
            if (warn) Log.LogWarning("domain {Domain} reported as not running, but it is expected to be running! Retrying for {Seconds} seconds ...", domain, retries + 1);
            else Log.LogDebug("domain {Domain} reported as not running, waiting {Seconds} seconds ...", name, retries + 1);
            window.Sleep(TimeSpan.FromSeconds(1));
            l = List(name, Deadline);
        }
        return l;
    }

    public override OcfExitCode Status() => List(domain, Deadline).Exists ? OcfExitCode.Success : OcfExitCode.NotRunning;

    public override OcfExitCode Monitor()
    {
        var l = IsProbe ? List(domain, Deadline) : ListWithRebootRetry(domain, warn: true);
        if (!l.Exists)
        {
            if (!File.Exists(xmfile.Value)) throw XmfileMissing();
            if (!IsProbe) Log.LogError("Xen domain {Domain} stopped", domain);
            return OcfExitCode.NotRunning;
        }
        UpdateUtilization(l.Row);
        if (RunMonitorScripts(Deadline) is { } failure) throw OcfError.Generic(failure);
        return OcfExitCode.Success;
    }

    void UpdateUtilization(XlDomainRow? row)
    {
        if (!autosetUtilizationCpu.Value && !autosetUtilizationHvMemory.Value) return;
        if (row is null)
        {
            Log.LogWarning("xl list printed no row for domain {Domain}: utilization not updated", domain);
            return;
        }
        if (autosetUtilizationCpu.Value) SetUtilization("cpu", row.Vcpus.ToString(CultureInfo.InvariantCulture));
        if (autosetUtilizationHvMemory.Value) SetUtilization("hv_memory", row.MemoryMiB.ToString(CultureInfo.InvariantCulture));
    }

    void SetUtilization(string name, string value)
    {
        var w = Cluster.SetUtilization(name, value);
        if (!w.Succeeded) Log.LogWarning("Unable to set utilization attribute {Name}: {Error}", name, w.Error);
    }

    /// <summary>Runs every monitor script; returns why one failed, or null.</summary>
    string? RunMonitorScripts(Deadline deadline)
    {
        foreach (var script in monitorScripts.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            string? path = script.Contains('/') ? script : FindInPath(script);
            if (path is null || !path.StartsWith('/') || !Processes.IsInstalled(path))
                return $"monitor script {SafeText.Quote(script)} of domain {SafeText.Quote(domain)} is not an executable program";
            var r = Processes.Run(new ProcessSpec(path), deadline);
            if (!r.Succeeded)
                return $"monitor script {SafeText.Quote(script)} of domain {SafeText.Quote(domain)} {r.Describe()}";
        }
        return null;
    }

    string? FindInPath(string program)
    {
        string path = Env.Get("PATH") is { Length: > 0 } p ? p : DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            if (!dir.StartsWith('/')) continue;
            string candidate = Path.Combine(dir, program);
            if (Processes.IsInstalled(candidate)) return candidate;
        }
        return null;
    }

    // ---------------------------------------------------------------- start
    public override OcfExitCode Start()
    {
        if (List(domain, Deadline).Exists)
        {
            Log.LogInformation("Xen domain {Domain} already running.", domain);
            return OcfExitCode.Success;
        }

        var settings = new List<string> { XlConfig.Setting("name", domain) };
        if (AdjustMemory(newDomains: 1) is long memory)
        {
            Log.LogInformation("New memory for virtual domains: {Memory}", memory);
            settings.Add(XlConfig.Setting("memory", memory));
        }

        var created = Xl.Create(xmfile.Value, settings, Deadline);
        if (!created.Succeeded)
            throw OcfError.Generic($"xl create {SafeText.Quote(xmfile.Value, 200)} for domain {SafeText.Quote(domain)} {created.Describe()}");

        // xl create returns once the domain is built; wait until it is listed and the monitor
        // scripts pass, as the shell agent does, but never past the deadline.
        string? last = null;
        bool up = Deadline.WaitUntil(() =>
        {
            var l = Xl.List(domain, Deadline);
            if (!l.Exists) { last = l.State == XlDomainState.Failed ? "xl list " + l.Result.Describe() : "the domain is not listed"; return false; }
            last = RunMonitorScripts(Deadline);
            return last is null;
        }, TimeSpan.FromSeconds(1));
        if (!up)
            throw OcfError.Generic($"domain {SafeText.Quote(domain)} was created but is not running within the start timeout: {last}");
        Log.LogInformation("Xen domain {Domain} started.", domain);
        return OcfExitCode.Success;
    }

    // ---------------------------------------------------------------- stop
    public override OcfExitCode Stop()
    {
        string? target = null;
        if (List(domain, Deadline).Exists) target = domain;
        else if (List("migrating-" + domain, Deadline).Exists)
        {
            Log.LogInformation("Xen domain {Domain} is migrating", domain);
            target = "migrating-" + domain;
        }
        else if (ListWithRebootRetry(domain, warn: false).Exists) target = domain;

        if (target is null) Log.LogInformation("Xen domain {Domain} already stopped.", domain);
        else StopDomain(target);

        AdjustMemory(newDomains: 0);
        return OcfExitCode.Success;
    }

    /// <summary>The orderly shutdown, then xl destroy until the domain is gone; destroy always keeps its share of the time.</summary>
    void StopDomain(string dom)
    {
        TimeSpan graceful = shutdownTimeout.Value.Length > 0
            ? TimeSpan.FromSeconds(long.Parse(shutdownTimeout.Value, CultureInfo.InvariantCulture))
            : (Meta.Timeout ?? Actions.First(a => a.Name == "stop").Timeout) * 2 / 3;
        var destroyReserve = TimeSpan.FromTicks(Math.Clamp(Deadline.Remaining.Ticks / 4, TimeSpan.FromSeconds(2).Ticks, TimeSpan.FromSeconds(10).Ticks));
        var orderly = Deadline.Reserve(destroyReserve).Within(graceful);

        if (graceful > TimeSpan.Zero)
        {
            // Only a real cut is worth saying: the time since the budget was computed is not one.
            if (orderly.Remaining < graceful - TimeSpan.FromMilliseconds(500))
                Log.LogInformation("the stop timeout leaves {Seconds:0.#} s of the {Graceful:0.#} s for the orderly shutdown; the rest is kept for xl destroy", orderly.Remaining.TotalSeconds, graceful.TotalSeconds);
            Log.LogInformation("Xen domain {Domain} will be stopped (timeout: {Seconds:0}s)", dom, orderly.Remaining.TotalSeconds);
            var request = shutdownAcpi.Value ? Xl.TriggerPower(dom, orderly) : Xl.Shutdown(dom, wait: false, orderly);
            if (request.NoSuchDomain) { Log.LogInformation("Xen domain {Domain} stopped.", dom); return; }
            if (!request.Succeeded)
                Log.LogWarning("xl {Command} {Domain} {Failure}: destroying it", shutdownAcpi.Value ? "trigger power" : "shutdown", dom, request.Describe());
            else if (orderly.WaitUntil(() => Xl.List(dom, orderly).State == XlDomainState.NoSuchDomain, TimeSpan.FromSeconds(1)))
            {
                Log.LogInformation("Xen domain {Domain} stopped.", dom);
                return;
            }
        }

        XlResult? lastDestroy = null;
        bool gone = Deadline.WaitUntil(() =>
        {
            Log.LogWarning("Xen domain {Domain} will be destroyed!", dom);
            lastDestroy = Xl.Destroy(dom, Deadline);
            if (lastDestroy.NoSuchDomain) return true;
            return Xl.List(dom, Deadline).State == XlDomainState.NoSuchDomain;
        }, TimeSpan.FromSeconds(1));
        if (!gone)
            throw OcfError.Generic($"domain {SafeText.Quote(dom)} still exists after xl destroy until the stop timeout" +
                (lastDestroy is { Succeeded: false, Process.Outcome: ProcessOutcome.Exited } ? $": xl destroy {lastDestroy.Describe()}" : ""));
        Log.LogInformation("Xen domain {Domain} stopped.", dom);
    }

    // ---------------------------------------------------------------- migration
    public override OcfExitCode MigrateTo()
    {
        if (!List(domain, Deadline).Exists)
            throw OcfError.Generic($"migrate_to: domain {SafeText.Quote(domain)} is not active locally");
        string target = Meta.MigrateTarget
            ?? throw OcfError.Generic("migrate_to: no target node (OCF_RESKEY_CRM_meta_migrate_target is not set)");
        string address = MigrationAddress(target);
        if (address.StartsWith('-'))
            throw OcfError.Generic($"migrate_to: target address {SafeText.Quote(address)} begins with '-'");

        RefuseImpossiblePvMigration();

        Log.LogInformation("{Domain}: Starting xl migrate to {Target}", domain, target);
        var r = Xl.Migrate(domain, address, Deadline);
        if (!r.Succeeded)
        {
            if (r.Process.Stderr.Contains("Failed to enable logdirty", StringComparison.Ordinal))
                throw OcfError.Generic($"xl migrate of domain {SafeText.Quote(domain)} to {SafeText.Quote(target)} failed: Xen could not enable log-dirty mode (a PV guest needs shadow paging to be live-migrated); the domain keeps running here");
            throw OcfError.Generic($"xl migrate of domain {SafeText.Quote(domain)} to {SafeText.Quote(target)} {r.Describe()}");
        }
        AdjustMemory(newDomains: 0);
        Log.LogInformation("{Domain}: xl migrate to {Target} succeeded.", domain, target);
        return OcfExitCode.Success;
    }

    string MigrationAddress(string target)
    {
        if (nodeIpAttribute.Value.Length == 0) return target;
        var read = Cluster.GetNodeAttribute(nodeIpAttribute.Value, target);
        if (!read.Succeeded)
        {
            Log.LogWarning("cannot read node attribute {Attribute} of {Target}: {Error}; migrating to the node name", nodeIpAttribute.Value, target, read.Error);
            return target;
        }
        if (read.Value is { Length: > 0 } v && v != "(null)")
        {
            Log.LogInformation("{Domain}: {Target} is using address {Address}", domain, target, v);
            return v;
        }
        return target;
    }

    /// <summary>
    /// Without shadow paging (Debian's Xen build) Xen cannot track a PV guest's dirty pages, so a
    /// live migration of one fails after xl has started it (tests/integration/xen/README.md, "PV,
    /// PVH and live migration"). Refuse it at once, so Pacemaker falls back to stop and start
    /// without waiting for xl.
    /// </summary>
    void RefuseImpossiblePvMigration()
    {
        if (Config is not { GuestType: "pv" }) return;
        var info = Xl.Info(Deadline);
        var caps = info.VirtCaps;
        if (!info.Result.Succeeded || caps.Count == 0) return;   // unknown: let xl try
        if (caps.Contains("shadow")) return;
        throw OcfError.Generic($"domain {SafeText.Quote(domain)} is a PV guest and this hypervisor cannot live-migrate PV guests (no shadow paging; xl info virt_caps: {string.Join(' ', caps)}): Pacemaker will stop and start it instead");
    }

    public override OcfExitCode MigrateFrom()
    {
        var wait = allowMemManagement.Value ? Deadline.Reserve(TimeSpan.FromSeconds(3)) : Deadline;
        bool here = wait.WaitUntil(() =>
        {
            if (Xl.List(domain, wait).Exists) return true;
            Log.LogDebug("{Domain}: Not yet active locally, waiting", domain);
            return false;
        }, TimeSpan.FromSeconds(1));
        if (!here)
            throw OcfError.Generic($"migrate_from: domain {SafeText.Quote(domain)} is not active locally: migration failed");
        AdjustMemory(newDomains: 0);
        Log.LogInformation("{Domain}: Active locally, migration successful", domain);
        return OcfExitCode.Success;
    }

    // ---------------------------------------------------------------- memory management
    /// <summary>
    /// allow_mem_management as the shell agent computes it: (total_memory − reserved_Dom0_memory)
    /// shared by the running domUs plus <paramref name="newDomains"/>, every running domU mem-set to
    /// that share. Returns the share, or null when memory management is off or impossible.
    /// </summary>
    long? AdjustMemory(int newDomains)
    {
        if (!allowMemManagement.Value) return null;
        var table = Xl.ListAll(Deadline);
        if (!table.Result.Succeeded)
        {
            Log.LogWarning("memory not adjusted: xl list {Failure}", table.Result.Describe());
            return null;
        }
        var running = table.Rows.Where(r => r.Id != 0 && r.Name != "Domain-0").Select(r => r.Name).ToList();
        var info = Xl.Info(Deadline);
        if (info.TotalMemoryMiB is not long total)
        {
            Log.LogWarning("memory not adjusted: xl info gave no total_memory ({Failure})", info.Result.Describe());
            return null;
        }
        long reserved = long.Parse(reservedDom0Memory.Value.Length > 0 ? reservedDom0Memory.Value : "512", CultureInfo.InvariantCulture);
        int count = running.Count == 0 && newDomains == 0 ? 1 : running.Count;
        long share = (total - reserved) / (count + newDomains);
        if (share <= 0)
        {
            Log.LogWarning("memory not adjusted: reserved_Dom0_memory ({Reserved} MiB) leaves nothing of the {Total} MiB for the domUs", reserved, total);
            return null;
        }
        foreach (var dom in running)
        {
            var r = Xl.MemSet(dom, share, Deadline);
            if (!r.Succeeded) Log.LogWarning("xl mem-set {Domain} {Memory} {Failure}", dom, share, r.Describe());
        }
        Log.LogInformation("Adjusted memory to: {Memory}, for the following {Count} domains: {Domains}", share, running.Count, string.Join(' ', running));
        return share;
    }

    public override OcfExitCode Reload()
    {
        // Every reloadable parameter is read when an action runs: nothing to apply now.
        Log.LogDebug("reloaded: the new parameter values apply from the next action on");
        return OcfExitCode.Success;
    }
}
