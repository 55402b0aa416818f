using HaCluster.Drbd;
using HaCluster.Ocf;

namespace HaCluster.Agents.Drbd;

// What the agent is: its name, descriptions, parameters and actions. Each parameter is declared
// once, here; the declaration feeds parsing, validation, the meta-data and the man page. The
// names, defaults and timeouts are ocf:linbit:drbd's, so that the agent is a drop-in for it.
public sealed partial class DrbdAgent
{
    public override string Name => "drbd";
    public override string ShortDescription => "Manages a DRBD device as a promotable (master/slave) clone";
    public override string LongDescription => """
        This resource agent manages a DRBD resource as a promotable clone (master/slave
        resource). DRBD is a shared-nothing replicated storage device. It is a drop-in
        replacement for ocf:linbit:drbd with the same parameters, defaults and promotion
        scores, for DRBD 8.4 and 9 kernel modules driven by drbd-utils 9.

        NOTE: to avoid data divergence, enable either DRBD "quorum" and "on-no-quorum io-error"
        (recommended), or proper fencing policies in both DRBD and Pacemaker (fencing
        resource-and-stonith). This cannot be done from this resource agent alone. See the DRBD
        User's Guide, https://docs.linbit.com/

        Promotion scores (adjust_master_score = c r l g, default 0 10 1000 10000): no quorum:
        none; connected to a healthy Primary with remove_master_score_if_peer_primary: none;
        diskless client: g-1 when Primary with a good peer or all peers UpToDate, l-1 when some
        peer is UpToDate, else none; all local disks UpToDate: g when Primary or all peer disks
        known, l when some peer disk is unknown; a peer UpToDate but not the local disk: r; a
        local disk attaching or negotiating: unchanged; all local disks Consistent: c; otherwise
        none. A score of 0 or less is deleted, never written.

        Differences from ocf:linbit:drbd:
        - The meta-data is valid for ocf-tester's DTD and pcs: every parameter has a short
          description, validate-all has a timeout, unfence_extra_args is a string (LINBIT
          declares a boolean with a string default) and wfc_timeout a string (any non-digit
          value means "do not wait", as in LINBIT's agent).
        - A monitor of a running resource starts one process (drbdsetup events2 --now, or
          sh-status on modules older than 8.4.7) instead of about fifty: the module version is
          read from /sys/module/drbd/version, the configuration is consulted only when the kernel
          does not know the resource, and the promotion score is written only when it changed
          (no crm_master per monitor). crm_resource --locate runs only where its answer is used.
        - The status is read as data; nothing is eval'd. A status tool that fails or times out,
          or a role word the agent does not know, is a monitor failure (1) with the reason,
          never "not running".
        - Every loop (start, connect, promote, demote, stop, waiting for device nodes) is bounded
          by the operation's timeout and ends with an exit reason before Pacemaker would kill the
          agent. The promote's 15-second floor against tight recovery loops is bounded too, and
          wfc_timeout (where 0 is DRBD's "forever") never outlasts the start.
        - A probe or monitor reports a resource the kernel runs as running (0 or 8) even when
          this node's drbd.conf is unreadable or lost the resource; LINBIT's answered 5, or for
          a probe 7, hiding a possible Primary.
        - A monitor of a stopped instance deletes the promotion score instead of possibly
          setting it (LINBIT's agent evaluated unset status variables when /proc/drbd was
          missing).
        - Promote refuses at once, with a reason, when DRBD has no access to UpToDate data
          (local disks neither UpToDate nor Consistent and no UpToDate peer); drbdadm primary's
          exit 17 ends the retries at once. While a peer stays Primary and two primaries are
          not configured, promote refuses after 20 seconds (long enough for DRBD to notice a
          dead peer with its default keep-alive settings) with a reason naming the peer;
          LINBIT's agent retried until the operation timed out.
        - Promote and demote return as soon as drbdadm primary or secondary succeeded; LINBIT's
          agent sleeps one more second after every try but the first, also after a successful
          one, which on a failover is a second more of outage.
        - After a split-brain DRBD drops the connection and leaves both sides StandAlone,
          which LINBIT's table scores 1000 like any disconnected UpToDate Secondary: Pacemaker
          would promote one side and its next resync would discard the other side's writes.
          This agent reads the kernel log when the resource is StandAlone: while the last
          split-brain of the resource was followed by no connection attempt, a Secondary gets
          no promotion score and promote refuses with a reason (a Primary keeps its score).
        - The start notification adjusts only a running instance. Reload of a stopped instance
          fails with a reason.
        - As in LINBIT's code (${X:=default}), a parameter set to the empty string gets its
          default, also where LINBIT's descriptions promise otherwise (wfc_timeout, the module
          version limits).
        - Truth values that are not OCF truth values are refused (6) instead of read as false;
          a drbd_resource starting with "-" is refused (6), as drbdadm would read it as an option.
        - A stop whose validation failed tries "drbdsetup down" (as LINBIT's does) without the
          5-second sleep, and succeeds at once when the kernel does not know the resource or the
          module is not loaded. It does so whichever other parameter failed; a drbd_resource no
          start could have accepted (empty, a control character, "-x") is a stop of nothing:
          0 with a warning. A failed down is 1, never 6 (which would stop the resource on every
          node). DRBD 8.3 modules are not supported (5).
        - drbdconf is opened without blocking and must be a regular file: a FIFO or a directory
          there is "not readable" (5; a probe says 7, a stop still takes the resource down),
          where LINBIT's agent hands it to drbdadm, which blocks on a FIFO until the timeout.
        """;

    readonly StringParameter drbdResource = new("drbd_resource", "drbd resource name",
        "The name of the drbd resource from the drbd.conf file. Only the characters [-%+./0-9:=@A-Z_a-z] are allowed.")
    { Required = true, Unique = true };

    readonly StringParameter drbdconf = new("drbdconf", "Path to drbd.conf",
        "Full path to the drbd.conf file (drbdadm -c); empty means the default. Only the characters [-%+./0-9:=@A-Z_a-z] are allowed.")
    { Default = "/etc/drbd.conf", Reloadable = true };

    readonly StringParameter adjustMasterScore = new("adjust_master_score", "master score adjustments", """
        Space separated list of four master score adjustments for different scenarios:
         - only access to 'consistent' data
         - only remote access to 'uptodate' data
         - currently Secondary, local access to 'uptodate' data, but remote is unknown
         - local access to 'uptodate' data, and currently Primary or remote is known
        Numeric values are expected to be non-decreasing; an invalid list falls back to the
        default with an error in the log. The first value is 0 by default to prevent Pacemaker
        from trying to promote while it is unclear whether the data is really the most recent
        copy (configure fencing both in DRBD and Pacemaker to make this work reliably).
        Intentionally diskless nodes ("Diskless Clients") with access to good data via their
        peers use the 3rd or 4th value minus one.
        """)
    { Default = ScoreTable.DefaultText, Reloadable = true };

    readonly BooleanParameter stopOutdatesSecondary = new("stop_outdates_secondary", "outdate a secondary on stop", """
        Recommended setting: leave at default (disabled). If a Secondary is stopped
        (unconfigured) or a post notification finds the peer unreachable, mark it Outdated in the
        DRBD meta data if the notification data say there is still a Primary elsewhere. This
        depends on OCF_RESKEY_CRM_meta_notify_master_uname being correct, which it was not for
        old Pacemaker versions; it is an additional safety feature besides DRBD's fencing.
        """)
    { Reloadable = true };

    readonly BooleanParameter ignoreMissingNotifications = new("ignore_missing_notifications", "ignore missing notify=true",
        "Some setups do not benefit from notifications. Allow running without the clone's notify=true (otherwise start, promote, demote and notify fail with 6).")
    { Reloadable = true };

    readonly StringParameter wfcTimeout = new("wfc_timeout", "wait for connections with timeout",
        "Unless set to any non-digits, wait (at most) this many seconds for the connection(s) to be established after bringing them up during start; empty means the default, as in ocf:linbit:drbd's code (its description says empty does not wait). The wait never outlasts the start's timeout.")
    { Default = "5", Reloadable = true };

    readonly StringParameter removeMasterScoreIfPeerPrimary = new("remove_master_score_if_peer_primary", "remove master score if we are connected to a primary peer", """
        To prevent a potentially failed promotion attempt in case of cluster split-brain
        (Pacemaker communication loss) while DRBD is still connected to a Primary, remove any
        master score while DRBD is connected to a Primary that looks like it has all disks
        UpToDate. This may delay legitimate failovers after a Primary crash by up to some TCP
        timeout plus one monitoring interval. An OCF truth value (true: remove), or
        "unexpected": assign scores as usual, but remove the score if DRBD sees a healthy
        Primary that Pacemaker does not know about (crm_resource --locate). Anything else: false.
        """)
    { Default = "false", Reloadable = true };

    readonly BooleanParameter failPromoteEarlyIfPeerPrimary = new("fail_promote_early_if_peer_primary", "try promote only once when connected to a primary peer", """
        To avoid a useless retry loop during promotion in case of cluster split-brain while DRBD
        is still connected to a Primary that Pacemaker does not know about, give up after the
        first try. Trying at least once is necessary: it makes DRBD check that the peer is alive.
        """)
    { Reloadable = true };

    readonly BooleanParameter unfenceIfAllUptodate = new("unfence_if_all_uptodate", "call unfence hook once fully UpToDate",
        "If all volumes of this resource report UpToDate on this Primary and its peers, call drbdadm unfence-peer, in case some stale fencing constraint is still around. The hook reads OCF_RESKEY_unfence_extra_args from its environment.")
    { Reloadable = true };

    readonly StringParameter unfenceExtraArgs = new("unfence_extra_args", "Extra arguments for the unfence hook.",
        "Extra hints passed to the unfence hook (in OCF_RESKEY_unfence_extra_args); empty means the default. See unfence_if_all_uptodate.")
    { Default = "--quiet --flock-required --flock-timeout 0 --unfence-only-if-owner-match", Reloadable = true };

    readonly StringParameter requireVersionGe = new("require_drbd_module_version_ge", "minimum DRBD module version", """
        Fail (5) if the detected DRBD kernel module version is lower than this (inclusive).
        Example: 9.0.16 requires DRBD 9. Required format: x.y.z. Empty means the default, as
        in ocf:linbit:drbd's code.
        """)
    { Default = "8.0.0", Reloadable = true, Check = VersionFormat };

    readonly StringParameter requireVersionLt = new("require_drbd_module_version_lt", "DRBD module version limit", """
        Fail (5) if the detected DRBD kernel module version is not lower than this (exclusive).
        Example: 9.0.0 requires DRBD 8.4. Required format: x.y.z. Empty means the default, as
        in ocf:linbit:drbd's code.
        """)
    { Default = "10.0.0", Reloadable = true, Check = VersionFormat };

    readonly BooleanParameter connectOnlyAfterPromote = new("connect_only_after_promote", "connect only after promote", """
        For "stacked" setups without proper fencing on the lower layer: keep this DRBD instance
        disconnected until it is promoted; after promotion an additional "adjust" initiates the
        connection. This causes a new data generation identifier after the failover of a
        healthy DRBD.
        """)
    { Reloadable = true };

    static string? VersionFormat(string v) => v.Length == 0 || DrbdVersion.ParseExact(v) is not null ? null : "must be a version x.y.z or empty";

    public override IReadOnlyList<Parameter> Parameters =>
    [
        drbdResource, drbdconf, adjustMasterScore, stopOutdatesSecondary, ignoreMissingNotifications, wfcTimeout,
        removeMasterScoreIfPeerPrimary, failPromoteEarlyIfPeerPrimary, unfenceIfAllUptodate, unfenceExtraArgs,
        requireVersionGe, requireVersionLt, connectOnlyAfterPromote,
    ];

    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(240), ActionSpec.Reload(30), ActionSpec.Promote(90), ActionSpec.Demote(90), ActionSpec.Notify(90),
        ActionSpec.Stop(100), ActionSpec.Monitor(20, 20, role: "Slave"), ActionSpec.Monitor(20, 10, role: "Master"),
        ActionSpec.MetaData(5), ActionSpec.ValidateAll(30),
    ];
}
