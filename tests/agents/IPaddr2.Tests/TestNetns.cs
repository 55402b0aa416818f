using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>
/// A network namespace `hc-ip2-RANDOM` made with ip(8) and deleted on Dispose, with the links
/// the test asks for. The published agent works in it through network_namespace (or runs in it
/// through `ip netns exec`); the root namespace is never touched, and only documentation
/// addresses are used.
/// </summary>
public sealed class TestNetns : IDisposable
{
    public static readonly string IpPath = File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/bin/ip";

    public string Name { get; } = "hc-ip2-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <param name="setup">`ip -n NAME` commands, one a string, split at spaces.</param>
    public TestNetns(params string[] setup)
    {
        Run("netns", "add", Name);
        try
        {
            Ip("link", "set", "lo", "up");
            foreach (var command in setup) Ip(command.Split(' '));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>`ip -n NAME ARGS`: its output; throws when it fails.</summary>
    public string Ip(params string[] args) => Run(["-n", Name, .. args]);

    /// <summary>Whether <paramref name="address"/> is on a link of this namespace.</summary>
    public bool Has(string address) => Ip("-o", "addr", "show").Contains($" {address}/", StringComparison.Ordinal);

    /// <summary>The packets <paramref name="link"/> has sent.</summary>
    public long TxPackets(string link) =>
        long.Parse(Run("netns", "exec", Name, "cat", $"/sys/class/net/{link}/statistics/tx_packets").Trim(), CultureInfo.InvariantCulture);

    public void Dispose() => new ProcessRunner().Run(new ProcessSpec(IpPath, "netns", "delete", Name), Deadline.After(TimeSpan.FromSeconds(10)));

    static string Run(params string[] args)
    {
        var r = new ProcessRunner().Run(new ProcessSpec(IpPath, args), Deadline.After(TimeSpan.FromSeconds(10)));
        if (!r.Succeeded) throw new InvalidOperationException($"ip {string.Join(' ', args)} {r.Describe()}: {r.Stderr}");
        return r.Stdout;
    }

    /// <summary>The processes whose command line holds every one of <paramref name="parts"/>.</summary>
    public static List<int> ProcessesWith(params string[] parts)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId) continue;
            string cmdline;
            try { cmdline = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var args = cmdline.Split('\0');
            if (parts.All(p => args.Contains(p)) && !IsZombie(pid)) found.Add(pid);
        }
        return found;
    }

    public static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException) { return true; }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="limit"/> passes.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan limit)
    {
        var end = DateTime.UtcNow + limit;
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow > end) return false;
            Thread.Sleep(50);
        }
    }
}
