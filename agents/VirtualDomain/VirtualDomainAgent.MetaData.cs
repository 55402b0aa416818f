using HaCluster.Core;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// What the agent is: its name, descriptions, parameters and actions. Each parameter is declared
// once, here; the declaration feeds parsing, validation, the meta-data and the man page.
public sealed partial class VirtualDomainAgent
{
    public override string Name => "VirtualDomain";
    public override string AgentVersion => "1.1";
    public override string ShortDescription => "Manages virtual domains through the libvirt virtualization framework";
    public override string LongDescription => """
        Resource agent for a virtual domain (a.k.a. domU, virtual machine, virtual environment
        etc., depending on context) managed by libvirtd. It is a drop-in replacement for
        ocf:heartbeat:VirtualDomain with the same parameters, and it speaks libvirt's remote
        protocol to the local daemon's unix socket itself: it starts no virsh process and does not
        load libvirt.so. A monitor makes one connection (lookup and state, plus one info call when
        utilization is on) and starts no process unless monitor_scripts are set or a utilization
        value changed. The domain is started as a transient domain from the config file.

        Differences from ocf:heartbeat:VirtualDomain:
        - shutdown_mode is applied (a comma-separated list of acpi, agent, initctl, signal,
          paravirt); the shell agent reads a misspelt variable and never passes it on. A shutdown
          request the hypervisor refuses (e.g. mode agent without a guest agent) goes straight to
          destroy instead of waiting for the timeout.
        - Stop waits for the graceful shutdown only until a reserve of the timeout is left
          (at least 5 s or 15 %), then destroys the domain (first gracefully, then forcibly). A
          domain that vanishes during the stop (libvirt's "no domain with matching uuid" race
          after a power-off) counts as stopped, whichever call reports it.
        - A libvirtd that does not answer cannot hang an action: every call is bounded by the
          action's deadline. A stop then signals the domain's emulator process (found in /proc by
          its -name guest=NAME argument, run by root or the user libvirt runs qemu as, with the
          emulator as its executable; SIGTERM, then SIGKILL) and succeeds once it is gone. A
          monitor then looks for the emulator process: present means running; absent means not
          running for a probe, and a failure with the reason "libvirtd did not answer" for a
          recurring monitor (Pacemaker then recovers the resource). The shell agent trusts any
          process whose command line looks like the emulator's (ps | grep): a process of any user
          can make its probe say "running" for a domain that does not exist. Here the qemu user
          is qemu.conf's user setting, else libvirt-qemu (Debian) or qemu, as /etc/passwd knows
          them; when none resolves only root's processes count.
        - save_config_on_stop writes the configuration through a temporary file of unpredictable
          name, created exclusively and without following links, with the config file's mode and
          owner, renamed over the config file. A config file that is a symbolic link is not saved
          (a warning says so). The shell agent writes through whatever is at the config file's
          path (cat > config), so a link placed there by whoever can write its directory makes
          root overwrite the file it points to.
        - migrate_from waits only until its deadline for the domain to arrive (the shell agent
          loops forever when the domain never comes, e.g. under ocf-tester).
        - Migration is always peer to peer and live: the local libvirtd connects to the
          destination URI itself in one call. migrate_options takes virsh's flags (--tunnelled,
          --persistent, --undefinesource, --compressed, --auto-converge, --abort-on-error,
          --unsafe, --postcopy, --tls, --parallel, --parallel-connections=N, --copy-storage-all,
          --copy-storage-inc, --change-protection, --migrateuri=URI; --live and --p2p are
          implied); any other option is a configuration error naming it. migration_speed is
          passed as the migration's bandwidth, migration_downtime is set as soon as the
          migration job runs, and a migration that does not finish in time is aborted.
        - Without hypervisor, the URI follows libvirt's own default rules (LIBVIRT_DEFAULT_URI,
          else uri_default in /etc/libvirt/libvirt.conf, else qemu:///system for root) instead
          of running virsh. Only local URIs (driver:///path, driver+unix:///path?socket=…) can
          be managed; the destination of a migration can be any URI the local libvirtd reaches.
        - The domain name is read from the config file's /domain/name by an XML parser, not by a
          line regex. The name and emulator of a started domain are remembered under HA_RSCTMP,
          so a stop or monitor whose config file is unreadable (shared storage gone) still
          reaches the running domain; without that record an unreadable config means "not
          running" for a probe and a stop, and an error (5) for a start.
        - A monitor reads no XML to refresh an emulator cache, and utilization is written through
          the cluster only when a value changed (the shell agent runs five virsh and three
          crm_resource processes per monitor).
        - With backingfile the overlay is created with qemu-img's -F (the backing file's format,
          as current qemu-img requires); copyindirs goes to virt-copy-in with the hypervisor URI.
          Without qemu-img (or virt-copy-in) a start fails with 5 and says which is missing.
        - A crashed domain is reported as not running and destroyed on stop.
        - A stop is for the domain that was started, even if the config file was edited to name
          another one meanwhile. save_config_on_stop saves the XML before a snapshot is taken; a
          snapshot save that does not finish in time is aborted, its partial state file removed
          and the domain destroyed.
        - A stop whose parameters no longer validate still stops the domain (shutdown, then
          destroy) when the hypervisor URI and the domain (from the config file, else as recorded
          at start) can be determined, instead of failing and getting the node fenced. Under a
          hypervisor URI no start could have used, or with neither config file nor record, nothing
          of this resource can be running: the stop succeeds with a warning.
        - monitor_scripts are run directly (each a program without arguments, a bare name found
          through PATH), never through a shell; hostile parameter values are passed literally
          or refused with a reason.
        """;

    readonly StringParameter configFile = new("config", "Virtual domain configuration file",
        "Absolute path to the libvirt configuration file (the domain XML) for this virtual domain. The domain's name is its /domain/name.")
    { Required = true, Unique = true };

    readonly StringParameter hypervisor = new("hypervisor", "Hypervisor URI", """
        Hypervisor URI to connect to, e.g. qemu:///system or
        qemu+unix:///system?socket=/run/libvirt/libvirt-sock. Only the local daemon can be
        managed. Default: libvirt's default URI (LIBVIRT_DEFAULT_URI, else uri_default in
        /etc/libvirt/libvirt.conf, else qemu:///system for root), found without running virsh.
        """);

    readonly BooleanParameter forceStop = new("force_stop", "Always force shutdown on stop", """
        Always forcefully shut down ("destroy") the domain on stop. The default behavior is to
        resort to a forceful shutdown only after a graceful shutdown attempt has failed. You
        should only set this to true if your virtual domain (or your virtualization backend) does
        not support graceful shutdown. Reloadable.
        """)
    { Reloadable = true };

    readonly StringParameter migrationTransport = new("migration_transport", "Remote hypervisor transport", """
        Transport used to connect to the remote hypervisor while migrating (ssh, tcp, tls, …),
        inserted as +TRANSPORT into the scheme of the derived destination URI. If omitted, the
        local libvirtd uses its default transport to reach the remote hypervisor. Reloadable.
        """)
    { Reloadable = true, Check = v => v.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? null : "may contain only letters, digits and '_'" };

    readonly StringParameter migrationUser = new("migration_user", "Remote username for the remoteuri", """
        The user name put into the derived destination URI (user@host). No user is given (which
        means root) if omitted; a value that is not a user name ([a-z][-a-z0-9]*) is ignored.
        If remoteuri is set, migration_user is ignored. Reloadable.
        """)
    { Reloadable = true };

    readonly IntegerParameter migrationDowntime = new("migration_downtime", "Live migration downtime",
        "Maximum downtime during live migration in milliseconds, set as soon as the migration job runs (0: libvirt's default). Reloadable.")
    { Minimum = 0, Reloadable = true };

    readonly IntegerParameter migrationSpeed = new("migration_speed", "Live migration speed",
        "Live migration speed limit per resource in MiB/s, passed as the migration's bandwidth (0: no limit). Reloadable.")
    { Minimum = 0, Reloadable = true };

    readonly StringParameter migrationNetworkSuffix = new("migration_network_suffix", "Migration network host name suffix", """
        Use a dedicated migration network. The migration URI is composed by adding this value to
        the end of the node name. If the node name is an FQDN, the suffix is inserted
        immediately before the first period. Qemu/KVM (tcp:HOST:migrateport) and Xen (HOST) are
        supported. The suffix is also added to the host of the derived destination URI (not to
        remoteuri). The composed host name must resolve on the nodes. Reloadable.
        """)
    { Reloadable = true, Check = v => v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_') ? null : "may contain only letters, digits, '-', '.' and '_'" };

    readonly StringParameter migrateuri = new("migrateuri", "Custom migrateuri for migration state transfer", """
        The migration (data) URI, if the computed one is unsuitable. If set, migration_network_suffix,
        migrateport and --migrateuri in migrate_options are ignored. "%n" is replaced by the
        target node name (with migration_network_suffix applied). Reloadable.
        """)
    { Reloadable = true, Check = NoWhiteSpace };

    readonly StringParameter migrateOptions = new("migrate_options", "live migrate options", """
        Extra virsh migrate options for the live migration, mapped to libvirt flags: --tunnelled,
        --persistent, --undefinesource, --compressed, --auto-converge, --abort-on-error, --unsafe,
        --postcopy, --tls, --parallel, --parallel-connections=N, --copy-storage-all,
        --copy-storage-inc, --change-protection and --migrateuri=URI ("%n" = target node);
        --live, --p2p and --verbose are accepted and implied. Any other option is refused (6).
        Reloadable.
        """)
    { Reloadable = true };

    readonly StringParameter monitorScripts = new("monitor_scripts", "space-separated list of monitor scripts", """
        To additionally monitor services within the virtual domain, a space-separated list of
        programs to run (each without arguments, never through a shell) after the domain was found
        running; a non-zero exit fails the monitor. Start and migrate_from complete only when all
        of them succeed: set the timeouts of these operations accordingly. Reloadable.
        """)
    { Reloadable = true };

    readonly BooleanParameter autosetCpu = new("autoset_utilization_cpu", "Enable auto-setting the CPU utilization of the resource",
        "If true, the number of the domain's vCPUs is put into the cpu utilization of the resource on every monitor (written only when it changed). Reloadable.")
    { Default = true, Reloadable = true };

    readonly BooleanParameter autosetHostMemory = new("autoset_utilization_host_memory", "Enable auto-setting the host_memory utilization of the resource",
        "If true, the domain's maximum memory in MiB is put into the host_memory utilization of the resource on every monitor. Reloadable.")
    { Default = true, Reloadable = true };

    readonly BooleanParameter autosetHvMemory = new("autoset_utilization_hv_memory", "Enable auto-setting the hv_memory utilization of the resource",
        "If true, the domain's maximum memory in MiB is put into the hv_memory utilization of the resource on every monitor. Reloadable.")
    { Default = true, Reloadable = true };

    readonly BooleanParameter unsetCpu = new("unset_utilization_cpu", "Enable auto-removing the CPU utilization of the resource",
        "If true (and autoset_utilization_cpu is false), the cpu utilization of the resource is removed on monitor. Reloadable.")
    { Reloadable = true };

    readonly BooleanParameter unsetHostMemory = new("unset_utilization_host_memory", "Enable auto-removing the host_memory utilization of the resource",
        "If true (and autoset_utilization_host_memory is false), the host_memory utilization of the resource is removed on monitor. Reloadable.")
    { Reloadable = true };

    readonly BooleanParameter unsetHvMemory = new("unset_utilization_hv_memory", "Enable auto-removing the hv_memory utilization of the resource",
        "If true (and autoset_utilization_hv_memory is false), the hv_memory utilization of the resource is removed on monitor. Reloadable.")
    { Reloadable = true };

    readonly IntegerParameter migrateport = new("migrateport", "Port for migrateuri",
        "The port of the generated qemu migration URI (with migration_network_suffix). If unset, a random port from 49152 to 49215. Reloadable.")
    { Minimum = 1, Maximum = 65535, Reloadable = true, DefaultFrom = _ => 49152 + Random.Shared.Next(64) };

    readonly StringParameter remoteuri = new("remoteuri", "Custom remoteuri to communicate with a remote hypervisor", """
        The libvirt URI of the target's hypervisor, as the local libvirtd connects to it for the
        peer-to-peer migration. If set, migration_user, migration_transport and
        migration_network_suffix do not change it. "%n" is replaced by the target node name.
        Required when hypervisor is a unix-socket URI with ?socket=. Reloadable.
        """)
    { Reloadable = true, Check = NoWhiteSpace };

    readonly BooleanParameter saveConfigOnStop = new("save_config_on_stop", "Save running VM's config back to its config file", """
        Changes to a running VM's config are normally lost on stop. If true, the domain's
        inactive XML (with security information) is written back to the config file when it
        changed, on stop, migration and monitor (checked with virt-xml-validate when installed).
        Reloadable.
        """)
    { Reloadable = true };

    readonly BooleanParameter syncConfigOnStop = new("sync_config_on_stop", "Save running VM's config back to its config file", """
        Setting this automatically enables save_config_on_stop, and the saved file is then
        synchronised to all nodes with csync2 -x (csync2 must be installed and set up).
        Reloadable.
        """)
    { Reloadable = true };

    readonly StringParameter snapshot = new("snapshot", "Restore state on start/stop", """
        Path to the snapshot directory where the virtual machine's RAM state is saved on stop
        (NAME.state). If a state file is present on start, the domain is restored from it and the
        file is removed. Incompatible with force_stop. Reloadable.
        """)
    { Reloadable = true };

    readonly StringParameter backingfile = new("backingfile", "Copy-on-write backing file", """
        When the VM is used in copy-on-write mode, the backing file to use (with its full path).
        The VM's image (the config file's path up to the first dot of its file name, plus
        .qcow2) is created on it with qemu-img, and the domain is defined and started. The
        backing file is never changed.
        """);

    readonly BooleanParameter stateless = new("stateless", "Recreate the image at each start", """
        If true and backingfile is set, every start creates a new qcow2 image on the backing
        file, so the VM is always stateless. If false, an existing image is reused and only the
        first start creates it.
        """);

    readonly StringParameter copyindirs = new("copyindirs", "Directories to copy into a fresh stateless image", """
        Space-separated list of directories and files to copy into a freshly created image with
        virt-copy-in before the VM boots. Used only with backingfile.
        """);

    readonly StringParameter shutdownMode = new("shutdown_mode", "Shutdown method(s) for a graceful stop", """
        The shutdown method(s) of the graceful stop, as virsh shutdown --mode takes them: a
        comma-separated list of acpi, agent, initctl, signal, paravirt. Empty: the
        hypervisor's choice. Reloadable.
        """)
    { Reloadable = true, Check = v => ShutdownModes.Parse(v, out var bad) is null ? $"has the unknown mode {SafeText.Quote(bad)} (known: {string.Join(", ", ShutdownModes.Names)})" : null };

    readonly BooleanParameter startResources = new("start_resources", "Ensure the needed virtual storage pools and networks are started", """
        Start the storage pools (source pool=…) and networks (source network=…) the domain XML
        uses before starting the domain, and on the target before a live migration when its URI
        is a local one. Reloadable.
        """)
    { Reloadable = true };

    static string? NoWhiteSpace(string v) => v.Any(char.IsWhiteSpace) ? "must be a URI, which has no white space" : null;

    public override IReadOnlyList<Parameter> Parameters =>
    [
        configFile, hypervisor, forceStop, migrationTransport, migrationUser, migrationDowntime, migrationSpeed,
        migrationNetworkSuffix, migrateuri, migrateOptions, monitorScripts, autosetCpu, autosetHostMemory, autosetHvMemory,
        unsetCpu, unsetHostMemory, unsetHvMemory, migrateport, remoteuri, saveConfigOnStop, syncConfigOnStop, snapshot,
        backingfile, stateless, copyindirs, shutdownMode, startResources,
    ];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(90), ActionSpec.Stop(90), ActionSpec.Status(30, 10), ActionSpec.Monitor(30, 10),
        ActionSpec.MigrateFrom(60), ActionSpec.MigrateTo(120), ActionSpec.Reload(90), ActionSpec.MetaData(5), ActionSpec.ValidateAll(5),
    ];
}
