using System.Diagnostics;
using System.Security.Cryptography;
using HaCluster.Network;

namespace HaCluster.Network.Tests;

/// <summary>
/// A throwaway network namespace `hc-nl-RANDOM` made with ip(8), deleted on Dispose. Tests
/// change links, addresses and routes only in there, never in the root namespace.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    public static readonly string IpPath = File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/bin/ip";

    /// <summary>lo up; a veth pair va/vb (down) where va has the altname longname-va; d0, a down dummy link.</summary>
    public static readonly string[] Standard =
    [
        "link set lo up",
        "link add va type veth peer name vb",
        "link property add dev va altname longname-va",
    ];

    public string Name { get; } = "hc-nl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    /// <summary>The kind of d0: "dummy", or "ifb" on kernels built without the dummy driver.</summary>
    public string DummyKind { get; private set; } = "dummy";

    bool disposed;

    public TestNamespace(params string[] setup) : this(withDummy: true, setup) { }

    public TestNamespace(bool withDummy, params string[] setup)
    {
        RunIp(["netns", "add", Name]);
        try
        {
            if (setup.Length > 0) Batch(setup);
            if (withDummy)
            {
                // Kernels without CONFIG_DUMMY (some VM kernels) have ifb, which also has no
                // peer and always a carrier.
                if (TryRunIp(["-n", Name, "link", "add", "d0", "type", "dummy"], out _)) DummyKind = "dummy";
                else { Ip("link", "add", "d0", "type", "ifb"); DummyKind = "ifb"; }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>`ip -n NAME ARGS...`: its standard output; throws when it fails.</summary>
    public string Ip(params string[] args) => RunIp(["-n", Name, .. args]);

    /// <summary>`ip -n NAME -batch -` with these commands.</summary>
    public void Batch(params string[] commands) => RunIp(["-n", Name, "-batch", "-"], string.Join('\n', commands) + "\n");

    /// <summary>Writes a sysctl of the namespace (/proc/sys/net is per namespace, per thread).</summary>
    public void Sysctl(string key, string value) =>
        NetworkNamespace.Run(Name, () => File.WriteAllText("/proc/sys/" + key.Replace('.', '/'), value + "\n"));

    public T Run<T>(Func<RtNetlink, T> work) => NetworkNamespace.Run(Name, () =>
    {
        using var netlink = new RtNetlink();
        return work(netlink);
    });

    public void Run(Action<RtNetlink> work) => NetworkNamespace.Run(Name, () =>
    {
        using var netlink = new RtNetlink();
        work(netlink);
    });

    public int Index(string link) => Run(n => n.FindLink(link)?.Index) ?? throw new InvalidOperationException($"no link {link} in {Name}");

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return true;
            if (clock.Elapsed > timeout) return false;
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        TryRunIp(["netns", "delete", Name], out _);
    }

    public static string RunIp(string[] args, string? input = null)
    {
        if (!TryRunIp(args, out var output, input))
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {output}");
        return output;
    }

    static bool TryRunIp(string[] args, out string output, string? input = null)
    {
        var start = new ProcessStartInfo(IpPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start ip");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            output = "timed out";
            return false;
        }
        if (process.ExitCode != 0)
        {
            output = output + stderr.Result;
            return false;
        }
        return true;
    }
}
