using HaCluster.Testing;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// A private copy of the xl STAND-IN (xl-standin/xl: replays real xl's streams and exit codes, it
/// is not xl) in a temporary directory, with its state next to it. Put <see cref="Bin"/> in PATH
/// and the agent finds it as xl.
/// </summary>
public sealed class XlStandin : IDisposable
{
    readonly TempDir dir = new();

    /// <param name="script">Which stand-in of xl-standin/ becomes xl: "xl" (replays real xl), "xl-hanging" (create and migrate never end).</param>
    public XlStandin(string script = "xl")
    {
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(State);
        string source = System.IO.Path.Combine(AppContext.BaseDirectory, "xl-standin", script);
        File.Copy(source, Xl);
        File.SetUnixFileMode(Xl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }

    public string Path => dir.Path;
    public string Bin => dir["bin"];
    public string Xl => System.IO.Path.Combine(Bin, "xl");
    public string State => dir["state"];
    public string this[string name] => dir[name];

    /// <summary>Writes a domain config file and returns its path.</summary>
    public string Config(string fileName, string text)
    {
        string path = dir[fileName];
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Sets one of the stand-in's knobs (see the script's header).</summary>
    public void Knob(string name, string value) => File.WriteAllText(System.IO.Path.Combine(State, name), value);

    /// <summary>Adds a running domain directly (as if started earlier).</summary>
    public void AddDomain(string name, int id, int mem = 160, int vcpus = 1, string flags = "") =>
        File.AppendAllText(System.IO.Path.Combine(State, "domains"), $"{name}\t{id}\t{mem}\t{vcpus}\t-b----\tup\t{flags}\n");

    public IReadOnlyList<string> Domains =>
        File.Exists(System.IO.Path.Combine(State, "domains"))
            ? File.ReadAllLines(System.IO.Path.Combine(State, "domains")).Where(l => l.Length > 0).Select(l => l.Split('\t')[0]).ToList()
            : [];

    /// <summary>Every xl invocation so far, arguments joined by spaces.</summary>
    public IReadOnlyList<string> Calls =>
        File.Exists(System.IO.Path.Combine(State, "calls"))
            ? File.ReadAllLines(System.IO.Path.Combine(State, "calls")).Select(l => l.Replace('\t', ' ')).ToList()
            : [];

    /// <summary>The arguments of every invocation, exactly as xl got them.</summary>
    public IReadOnlyList<string[]> CallArguments =>
        File.Exists(System.IO.Path.Combine(State, "calls"))
            ? File.ReadAllLines(System.IO.Path.Combine(State, "calls")).Select(l => l.Split('\t')).ToList()
            : [];

    public void ClearCalls() => File.Delete(System.IO.Path.Combine(State, "calls"));

    public void Dispose() => dir.Dispose();
}
