using System.Text;

namespace HaCluster.Ocf;

/// <summary>
/// The parameter values a resource instance was last started (or reloaded) with, kept under
/// HA_RSCTMP (mode 0600, a <see cref="StateFile"/>). Pacemaker sends <c>reload</c> to an OCF 1.0 agent for a change of any
/// non-unique parameter; the snapshot tells the host which of them the agent cannot apply
/// without a restart, and gives the old values to stop the resource with.
/// </summary>
internal sealed class ParameterSnapshot
{
    readonly Dictionary<string, string?> values;

    ParameterSnapshot(Dictionary<string, string?> values) => this.values = values;

    /// <summary>The snapshot's file: HA_RSCTMP/hacluster-TYPE-INSTANCE.parameters.</summary>
    public static StateFile FileFor(OcfEnvironment env) => StateFile.For(env, "parameters");

    public static ParameterSnapshot Of(IEnumerable<Parameter> parameters, OcfEnvironment env)
    {
        var d = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in parameters) d[p.Name] = env.Parameter(p.Name);
        return new ParameterSnapshot(d);
    }

    /// <summary>A raw value as it was (null: unset).</summary>
    public string? this[string name] => values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Declared parameters whose raw value differs from the snapshot's and that the agent cannot reload.</summary>
    public IReadOnlyList<Parameter> ChangedNeedingRestart(IEnumerable<Parameter> parameters, OcfEnvironment env) =>
        parameters.Where(p => !p.Reloadable && !p.Unique && env.Parameter(p.Name) != this[p.Name]).ToList();

    /// <summary>An environment where the parameters have their snapshot values and all else is as in <paramref name="env"/>.</summary>
    public OcfEnvironment Overlay(OcfEnvironment env) =>
        new(name => name.StartsWith("OCF_RESKEY_", StringComparison.Ordinal) && values.ContainsKey(name["OCF_RESKEY_".Length..])
                ? values[name["OCF_RESKEY_".Length..]]
                : env.Get(name),
            env.Argv0);

    /// <summary>The snapshot, or null when there is none or it is not a file of ours (a link, a FIFO, garbage).</summary>
    public static ParameterSnapshot? Load(StateFile file)
    {
        try
        {
            if (file.Read() is not { } text) return null;
            var d = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split('\t');
                if (f.Length == 2 && f[1] == "-") d[f[0]] = null;
                else if (f.Length == 3 && f[1] == "=") d[f[0]] = Encoding.UTF8.GetString(Convert.FromBase64String(f[2]));
            }
            return new ParameterSnapshot(d);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes the snapshot atomically, mode 0600 (values may be secrets).</summary>
    public void Save(StateFile file)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in values)
            sb.Append(k).Append('\t').Append(v is null ? "-" : "=\t" + Convert.ToBase64String(Encoding.UTF8.GetBytes(v))).Append('\n');
        file.Write(sb.ToString());
    }
}
