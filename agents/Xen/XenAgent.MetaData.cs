using HaCluster.Ocf;

namespace HaCluster.Agents.Xen;

// What the agent is: its name, descriptions, parameters and actions. Each parameter is declared
// once, here; the declaration feeds parsing, validation, the meta-data and the man page. The
// parameters have the names and meanings of ocf:heartbeat:Xen's, so an existing resource keeps
// working when only its provider changes.
public sealed partial class XenAgent
{
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
        - xmfile must be an absolute path (exit 6 otherwise) and, for start, a regular file of
          at most 1 MiB: a FIFO, a device or a directory is a configuration error (exit 6), and
          no read of it blocks an action. reserved_Dom0_memory and shutdown_timeout must be whole
          numbers of MiB and seconds (exit 6 otherwise). A domain name is at most 4096 characters.
        - A stop with values no start could have accepted is 0: with a bad name or xmfile nothing
          can be running under them; with any other bad value (a reload to it failed) the domain
          is still stopped, with the defaults in place of the bad values.
        - A probe or monitor of a running domain answers "running" even when the xmfile is
          missing (the domain name does not depend on it when name is set); only when the domain
          is not running does a missing xmfile count as "not installed": a probe answers 7, a
          recurring monitor 1, stop 0, start and validate-all 5.
        - The migration target address (the value of node_ip_attribute, else the node name) must
          be a host name or an IP address: xl migrate hands it to a shell ("sh -c" running ssh),
          so the shell agent, which passes any value on, lets whoever can set that node
          attribute run commands as root on the source node. migrate_to refuses any other value
          (exit 1) before xl runs.
        - An error of xl other than "invalid domain identifier" (xenstored unreachable, say) is a
          failure (exit 1 with xl's message), not "stopped".
        - Every wait is bounded by the action's timeout: start waits for the domain (and the
          monitor_scripts) until then instead of forever, migrate_from until then, and stop always
          keeps time for xl destroy: the graceful part (shutdown_timeout, or 2/3 of the stop
          timeout) is cut short to leave at least 2 s and up to a quarter of the stop timeout for
          the destroy. If the domain survives xl destroy until the timeout, stop fails with a
          reason instead of being killed.
        - Stop also ends what an interrupted live migration left on this node: xl calls the
          domain NAME--incoming on the receiver and NAME--migratedaway on the sender, and such a
          leftover (paused or suspended) is destroyed. The shell agent looks for migrating-NAME,
          a name of xend that xl never uses, and so leaves them.
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
}
