namespace HaCluster.Agents.Drbd;

/// <summary>
/// What <see cref="DrbdAgent.Validate"/> made of the parameters and the clone's meta attributes:
/// the values every action of one invocation works with, parsed once and immutable after that.
/// Empty values already carry their defaults, as ocf:linbit:drbd's ${X:=default} gives them.
/// </summary>
/// <param name="Resource">drbd_resource: the name drbdadm and drbdsetup are given.</param>
/// <param name="ConfigFile">drbdconf: what drbdadm reads with -c.</param>
/// <param name="Scores">adjust_master_score, or the defaults when the list is not usable.</param>
/// <param name="PeerPrimaryPolicy">remove_master_score_if_peer_primary.</param>
/// <param name="StopOutdatesSecondary">stop_outdates_secondary.</param>
/// <param name="WfcTimeout">
/// wfc_timeout in seconds as configured (0 is DRBD's "forever"), or null for "do not wait"; the
/// start caps it by its own timeout.
/// </param>
/// <param name="FailPromoteEarlyIfPeerPrimary">fail_promote_early_if_peer_primary.</param>
/// <param name="UnfenceIfAllUpToDate">unfence_if_all_uptodate.</param>
/// <param name="UnfenceExtraArgs">unfence_extra_args, handed to the unfence hook unchanged.</param>
/// <param name="ModuleVersionGe">require_drbd_module_version_ge, x.y.z as written.</param>
/// <param name="ModuleVersionLt">require_drbd_module_version_lt, x.y.z as written.</param>
/// <param name="ConnectOnlyAfterPromote">connect_only_after_promote.</param>
/// <param name="PromotedMax">The clone's promoted-max (master-max), 1 when unset or unreadable.</param>
sealed record DrbdConfiguration(
    string Resource,
    string ConfigFile,
    ScoreTable Scores,
    PeerPrimaryPolicy PeerPrimaryPolicy,
    bool StopOutdatesSecondary,
    int? WfcTimeout,
    bool FailPromoteEarlyIfPeerPrimary,
    bool UnfenceIfAllUpToDate,
    string UnfenceExtraArgs,
    string ModuleVersionGe,
    string ModuleVersionLt,
    bool ConnectOnlyAfterPromote,
    long PromotedMax);
