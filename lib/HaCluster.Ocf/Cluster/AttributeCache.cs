using System.Text;

namespace HaCluster.Ocf.Cluster;

/// <summary>
/// The last attribute values this resource instance wrote, kept under HA_RSCTMP, so that a
/// monitor whose values did not change starts no crm_attribute or crm_resource at all.
/// <para>
/// Transient (reboot) attributes vanish when Pacemaker restarts on this node, while HA_RSCTMP
/// (a tmpfs) survives such a restart. So the cache is bound to the incarnation of the process
/// that runs the agent — pacemaker-execd: its PID and start time — and to CIB_file; a different
/// caller or a restarted execd finds the cache stale and writes again.
/// </para>
/// </summary>
public sealed class AttributeCache
{
    readonly StateFile file;
    readonly Lazy<string> incarnation;
    Dictionary<string, string?>? entries;

    /// <param name="path">The cache file (see <see cref="PathFor"/>).</param>
    /// <param name="incarnation">Computed only when the cache is first used: most monitors never are.</param>
    public AttributeCache(string path, Func<string> incarnation)
    {
        file = new StateFile(path, rscTmp: Path.GetDirectoryName(path));
        this.incarnation = new Lazy<string>(incarnation, LazyThreadSafetyMode.None);
    }

    /// <summary>The cache file of one resource instance.</summary>
    public static string PathFor(OcfEnvironment env) => StateFiles.PathFor(env, "attributes");

    /// <summary>True when <paramref name="key"/> is known to hold <paramref name="value"/> (null: known to be absent).</summary>
    public bool Holds(string key, string? value)
    {
        var e = Load();
        return e.TryGetValue(key, out var v) && v == value;
    }

    /// <summary>Records a value written (null: deleted).</summary>
    public void Record(string key, string? value)
    {
        var e = Load();
        e[key] = value;
        Save(e);
    }

    /// <summary>Forgets a key, so that the next write happens.</summary>
    public void Forget(string key)
    {
        var e = Load();
        if (e.Remove(key)) Save(e);
    }

    /// <summary>Forgets every key <paramref name="which"/> selects (one write of the file at most).</summary>
    public void ForgetWhere(Func<string, bool> which)
    {
        var e = Load();
        var keys = e.Keys.Where(which).ToList();
        if (keys.Count == 0) return;
        foreach (var key in keys) e.Remove(key);
        Save(e);
    }

    Dictionary<string, string?> Load()
    {
        if (entries is not null) return entries;
        entries = new Dictionary<string, string?>(StringComparer.Ordinal);
        // A cache that is missing, unreadable or not a file of ours (a link, a FIFO) is empty.
        if (file.ReadOrNull() is not { } text) return entries;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "incarnation\t" + incarnation.Value) return entries;
        for (int i = 1; i < lines.Length; i++)
        {
            int tab = lines[i].IndexOf('\t');
            if (tab < 0) entries[lines[i]] = null;
            else entries[lines[i][..tab]] = lines[i][(tab + 1)..];
        }
        return entries;
    }

    void Save(Dictionary<string, string?> e)
    {
        var sb = new StringBuilder();
        sb.Append("incarnation\t").Append(incarnation.Value).Append('\n');
        foreach (var (k, v) in e)
        {
            sb.Append(k);
            if (v is not null) sb.Append('\t').Append(v);
            sb.Append('\n');
        }
        // A cache that cannot be written only costs the optimisation.
        try { file.Write(sb.ToString()); }
        catch (IOException) { }
    }

    /// <summary>
    /// Who runs us: the parent's PID and start time (field 22 of /proc/PID/stat), plus CIB_file.
    /// A restarted pacemaker-execd has another PID or start time.
    /// </summary>
    public static string CurrentIncarnation(int parentPid, string? cibFile)
    {
        string start = "?";
        try
        {
            string stat = File.ReadAllText($"/proc/{parentPid}/stat");
            // comm (field 2) may contain spaces and parentheses: count fields after the last ')'.
            int close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            if (fields.Length > 19) start = fields[19];
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{parentPid}:{start}:{cibFile ?? ""}";
    }
}
