using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Testing;

/// <summary>
/// The NativeAOT executables of the agents, for tests of what only the shipped binary does
/// (UseSystemResourceKeys turns the runtime's exception messages into resource keys; trimming;
/// startup). HACLUSTER_PUBLISHED_AGENTS names a directory that already holds them (build.sh's
/// artifacts/agents); otherwise each agent is published once per test run with
/// <c>dotnet publish agents/NAME -c Release -r linux-x64</c> into a temporary directory.
/// </summary>
public static class PublishedAgents
{
    static readonly Dictionary<string, Lazy<string>> published = [];

    /// <summary>The path of the agent's native executable, publishing it first when needed.</summary>
    public static string PathOf(string agent)
    {
        if (Environment.GetEnvironmentVariable("HACLUSTER_PUBLISHED_AGENTS") is { Length: > 0 } dir)
            return Path.Combine(dir, agent);
        Lazy<string> lazy;
        lock (published)
        {
            if (!published.TryGetValue(agent, out lazy!))
                published[agent] = lazy = new Lazy<string>(() => Publish(agent));
        }
        return lazy.Value;
    }

    /// <summary>The repository's root: the directory above the tests that holds HaCluster.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "HaCluster.sln"))) return dir.FullName;
            throw new InvalidOperationException("HaCluster.sln not found above " + AppContext.BaseDirectory);
        }
    }

    static string Publish(string agent)
    {
        string output = Directory.CreateTempSubdirectory($"hacluster-aot-{agent}-").FullName;
        var spec = new ProcessSpec(Dotnet(), "publish", Path.Combine(RepositoryRoot, "agents", agent),
            "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo", "-v", "quiet")
        {
            Environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
        };
        var r = new ProcessRunner().Run(spec, Deadline.After(TimeSpan.FromMinutes(15)));
        string path = Path.Combine(output, agent);
        if (!r.Succeeded || !File.Exists(path))
            throw new InvalidOperationException($"dotnet publish {agent} {r.Describe()}\n{r.Stdout}\n{r.Stderr}");
        return path;
    }

    static string Dotnet()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"), "/usr/share/dotnet/dotnet", "/usr/bin/dotnet", "/usr/local/bin/dotnet" })
            if (candidate is { Length: > 0 } && File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "dotnet"))) return Path.Combine(dir, "dotnet");
        throw new InvalidOperationException("dotnet not found");
    }
}
