using System.Globalization;

namespace HaCluster.Ocf;

/// <summary>
/// What the caller (pacemaker-execd, crm_resource, ocf-tester) passed in the environment, with the
/// defaults resource-agents applies when a variable is missing. Values are read on demand: a
/// monitor touches only the few variables it needs.
/// </summary>
public sealed class OcfEnvironment
{
    readonly Func<string, string?> lookup;

    public OcfEnvironment(Func<string, string?> lookup, string argv0)
    {
        this.lookup = lookup;
        Argv0 = argv0;
        Meta = new CrmMeta(this);
    }

    /// <summary>The process environment.</summary>
    public static OcfEnvironment FromProcess(string argv0) => new(Environment.GetEnvironmentVariable, argv0);

    /// <summary>An environment made of the given variables only (tests).</summary>
    public static OcfEnvironment FromDictionary(IReadOnlyDictionary<string, string> variables, string argv0 = "/usr/lib/ocf/resource.d/hacluster/Test")
        => new(k => variables.TryGetValue(k, out var v) ? v : null, argv0);

    public string Argv0 { get; }

    /// <summary>A raw variable: null when unset, "" when set but empty.</summary>
    public string? Get(string name) => lookup(name);

    /// <summary>A variable, or <paramref name="fallback"/> when it is unset or empty.</summary>
    public string GetOrDefault(string name, string fallback)
    {
        var v = lookup(name);
        return string.IsNullOrEmpty(v) ? fallback : v;
    }

    public string OcfRoot => GetOrDefault("OCF_ROOT", "/usr/lib/ocf");

    /// <summary>The agent's type: OCF_RESOURCE_TYPE, else the executable's file name (as ocf-tester sets none).</summary>
    public string ResourceType => GetOrDefault("OCF_RESOURCE_TYPE", Path.GetFileName(Argv0));

    public string? ResourceInstance => NullIfEmpty(lookup("OCF_RESOURCE_INSTANCE"));
    public string? ResourceProvider => NullIfEmpty(lookup("OCF_RESOURCE_PROVIDER"));

    /// <summary>Where agents keep state between calls: HA_RSCTMP, default /run/resource-agents.</summary>
    public string RscTmp => GetOrDefault("HA_RSCTMP", "/run/resource-agents");

    /// <summary>Where crm_attribute, crm_resource and crm_node live: HA_SBIN_DIR, default /usr/sbin.</summary>
    public string SbinDir => GetOrDefault("HA_SBIN_DIR", "/usr/sbin");

    public string ExitReasonPrefix => GetOrDefault("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:");

    /// <summary>ocf-tester's OCF_TESTER_FAIL_HAVE_BINARY=1: every external binary counts as missing.</summary>
    public bool FailHaveBinary => lookup("OCF_TESTER_FAIL_HAVE_BINARY") == "1";

    /// <summary>OCF_CHECK_LEVEL, or the older OCF_RESKEY_OCF_CHECK_LEVEL; 0 when unset or not a number.</summary>
    public int CheckLevel
    {
        get
        {
            var v = NullIfEmpty(lookup("OCF_CHECK_LEVEL")) ?? NullIfEmpty(lookup("OCF_RESKEY_OCF_CHECK_LEVEL"));
            return v is not null && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int level) ? level : 0;
        }
    }

    /// <summary>The CRM meta attributes (OCF_RESKEY_CRM_meta_*).</summary>
    public CrmMeta Meta { get; }

    /// <summary>The raw value of parameter <paramref name="name"/> (OCF_RESKEY_name).</summary>
    public string? Parameter(string name) => lookup("OCF_RESKEY_" + name);

    internal static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>The CRM meta attributes Pacemaker passes as OCF_RESKEY_CRM_meta_*.</summary>
public sealed class CrmMeta
{
    readonly OcfEnvironment env;
    internal CrmMeta(OcfEnvironment env) => this.env = env;

    /// <summary>A meta attribute (name with '_' for '-'): null when unset.</summary>
    public string? Get(string name) => env.Get("OCF_RESKEY_CRM_meta_" + name);

    /// <summary>
    /// The operation's timeout (Pacemaker SIGKILLs the agent then), or null when not given or not
    /// usable: 0, negative or not a whole number of milliseconds (the host then uses the timeout
    /// the action advertises). A timeout beyond <see cref="MaxTimeout"/> is clamped to it.
    /// </summary>
    public TimeSpan? Timeout => Milliseconds("timeout") is { } t && t > TimeSpan.Zero ? t : null;

    /// <summary>
    /// The longest timeout or interval taken as given: 2^31-1 ms (24.8 days), the most Pacemaker
    /// itself can express for an operation. A larger value (2^63-1, say) is no reason to fail.
    /// </summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>The operation's interval; zero when absent (Pacemaker 2.1.5 passes none for probes).</summary>
    public TimeSpan Interval => Milliseconds("interval") ?? TimeSpan.Zero;

    public string? OnNode => OcfEnvironment.NullIfEmpty(Get("on_node"));
    public string? OnNodeUuid => OcfEnvironment.NullIfEmpty(Get("on_node_uuid"));
    public string? OperationName => OcfEnvironment.NullIfEmpty(Get("name"));

    /// <summary>The role of a role-specific monitor, in Pacemaker 2.1 words (Promoted, Unpromoted).</summary>
    public string? Role => OcfEnvironment.NullIfEmpty(Get("role")) switch
    {
        "Master" => "Promoted",
        "Slave" => "Unpromoted",
        var r => r,
    };

    public string? MigrateSource => OcfEnvironment.NullIfEmpty(Get("migrate_source"));
    public string? MigrateTarget => OcfEnvironment.NullIfEmpty(Get("migrate_target"));

    // Clones
    public bool IsClone => Get("clone_max") is not null;
    public int? CloneNumber => Integer("clone");
    public int CloneMax => Integer("clone_max") ?? 1;
    public int CloneNodeMax => Integer("clone_node_max") ?? 1;
    public bool GloballyUnique => IsTrue(Get("globally_unique"));

    // Promotable clones: Pacemaker passes no "promotable" flag; the promoted_* (or legacy master_*) counts tell.
    public bool IsPromotable => Get("promoted_max") is not null || Get("master_max") is not null;
    public int PromotedMax => Integer("promoted_max") ?? Integer("master_max") ?? 1;
    public int PromotedNodeMax => Integer("promoted_node_max") ?? Integer("master_node_max") ?? 1;

    /// <summary>Notifications: the clone's notify=true and, during a notify action, its type and the lists.</summary>
    public NotifyInfo Notify => new(this);

    int? Integer(string name) =>
        int.TryParse(Get(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : null;

    /// <summary>A count of milliseconds: digits only, clamped to <see cref="MaxTimeout"/> (a number too long for any integer too).</summary>
    TimeSpan? Milliseconds(string name)
    {
        string? text = Get(name)?.Trim();
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit)) return null;
        return text.Length > 10 || long.Parse(text, CultureInfo.InvariantCulture) > int.MaxValue
            ? MaxTimeout
            : TimeSpan.FromMilliseconds(long.Parse(text, CultureInfo.InvariantCulture));
    }

    /// <summary>Pacemaker's and resource-agents' truth values, case-insensitively.</summary>
    public static bool IsTrue(string? value) => value is not null && OcfBoolean.TryParse(value, out bool b) && b;
}

/// <summary>The notify variables of a clone with notify=true.</summary>
public sealed class NotifyInfo
{
    readonly CrmMeta meta;
    internal NotifyInfo(CrmMeta meta) => this.meta = meta;

    /// <summary>True when the clone has notify=true, as far as this action can tell.</summary>
    public bool Enabled => CrmMeta.IsTrue(meta.Get("notify")) || meta.Get("notify_start_uname") is not null;

    /// <summary>"pre" or "post" during a notify action.</summary>
    public string? Type => OcfEnvironment.NullIfEmpty(meta.Get("notify_type"));

    /// <summary>"start", "stop", "promote" or "demote" during a notify action.</summary>
    public string? Operation => OcfEnvironment.NullIfEmpty(meta.Get("notify_operation"));

    public NotifyList Start => Pair("start");
    public NotifyList Stop => Pair("stop");
    public NotifyList Active => Pair("active");
    public NotifyList Promote => Pair("promote");
    public NotifyList Demote => Pair("demote");
    /// <summary>Promoted instances (legacy name: master).</summary>
    public NotifyList Promoted => Pair("promoted", "master");
    /// <summary>Unpromoted instances (legacy name: slave).</summary>
    public NotifyList Unpromoted => Pair("unpromoted", "slave");
    public IReadOnlyList<string> InactiveResources => Split(meta.Get("notify_inactive_resource"));
    public IReadOnlyList<string> AvailableUnames => Split(meta.Get("notify_available_uname"));
    public IReadOnlyList<string> AllUnames => Split(meta.Get("notify_all_uname"));
    public IReadOnlyList<string> AllHosts => Split(meta.Get("notify_all_hosts"));

    NotifyList Pair(string set, string? legacy = null)
    {
        string? res = meta.Get($"notify_{set}_resource");
        string? uname = meta.Get($"notify_{set}_uname");
        if (legacy is not null && res is null && uname is null)
        {
            res = meta.Get($"notify_{legacy}_resource");
            uname = meta.Get($"notify_{legacy}_uname");
        }
        return new NotifyList(Split(res), Split(uname));
    }

    /// <summary>Lists are space-separated; an empty list arrives as a single space.</summary>
    internal static IReadOnlyList<string> Split(string? list) =>
        list is null ? [] : list.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One notify set: the clone instances and the nodes they are on, pairwise.</summary>
public sealed record NotifyList(IReadOnlyList<string> Resources, IReadOnlyList<string> Unames)
{
    public bool IsEmpty => Resources.Count == 0 && Unames.Count == 0;
}

/// <summary>OCF truth values: those of ocf_is_true and of Pacemaker's crm_is_true, case-insensitively.</summary>
public static class OcfBoolean
{
    public static bool TryParse(string value, out bool result)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "1" or "yes" or "y" or "true" or "on" or "ja":
                result = true; return true;
            case "0" or "no" or "n" or "false" or "off" or "nein":
                result = false; return true;
            default:
                result = false; return false;
        }
    }
}
