namespace HaCluster.Ocf;

/// <summary>
/// One action an agent advertises in its meta-data: name and the timeout, interval, depth and
/// role hints. The timeout is also the action's deadline when Pacemaker passes none.
/// </summary>
public sealed record ActionSpec(string Name, TimeSpan Timeout)
{
    public TimeSpan? Interval { get; init; }
    public int? Depth { get; init; }
    /// <summary>Promoted or Unpromoted, for role-specific monitors.</summary>
    public string? Role { get; init; }
    public TimeSpan? StartDelay { get; init; }

    static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    public static ActionSpec Start(int timeoutSeconds) => new("start", S(timeoutSeconds));
    public static ActionSpec Stop(int timeoutSeconds) => new("stop", S(timeoutSeconds));
    public static ActionSpec Monitor(int timeoutSeconds, int intervalSeconds, int depth = 0, string? role = null) =>
        new("monitor", S(timeoutSeconds)) { Interval = S(intervalSeconds), Depth = depth, Role = role };
    public static ActionSpec Status(int timeoutSeconds, int intervalSeconds) =>
        new("status", S(timeoutSeconds)) { Interval = S(intervalSeconds), Depth = 0 };
    public static ActionSpec Promote(int timeoutSeconds) => new("promote", S(timeoutSeconds));
    public static ActionSpec Demote(int timeoutSeconds) => new("demote", S(timeoutSeconds));
    public static ActionSpec Notify(int timeoutSeconds) => new("notify", S(timeoutSeconds));
    public static ActionSpec Reload(int timeoutSeconds) => new("reload", S(timeoutSeconds));
    public static ActionSpec MigrateTo(int timeoutSeconds) => new("migrate_to", S(timeoutSeconds));
    public static ActionSpec MigrateFrom(int timeoutSeconds) => new("migrate_from", S(timeoutSeconds));
    public static ActionSpec MetaData(int timeoutSeconds = 5) => new("meta-data", S(timeoutSeconds));
    public static ActionSpec ValidateAll(int timeoutSeconds) => new("validate-all", S(timeoutSeconds));
}
