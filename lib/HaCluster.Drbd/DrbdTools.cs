using System.Globalization;
using System.Text.RegularExpressions;
using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;

namespace HaCluster.Drbd;

/// <summary>Where the tools are and how drbdadm is told about the configuration.</summary>
public sealed record DrbdToolsOptions
{
    public string DrbdAdm { get; init; } = "/usr/sbin/drbdadm";
    public string DrbdSetup { get; init; } = "/usr/sbin/drbdsetup";
    public string ModProbe { get; init; } = "/usr/sbin/modprobe";
    public string ModInfo { get; init; } = "/usr/sbin/modinfo";
    /// <summary><c>drbdadm -c FILE</c>; null or empty: drbdadm's built-in default.</summary>
    public string? ConfigFile { get; init; }
    /// <summary><c>drbdadm -S</c>: the resource is stacked on another DRBD resource.</summary>
    public bool Stacked { get; init; }
    /// <summary>The loaded module's version: selects the status tool and the 8.4 or 9 commands. Null: as for 9.</summary>
    public DrbdVersion? Module { get; init; }
    /// <summary>The root of /proc, /sys and /dev (tests point it at a directory of sample files).</summary>
    public string SystemRoot { get; init; } = "/";
    /// <summary>Reads the kernel log (tests pass captured dmesg output); default klogctl.</summary>
    public Func<string?> ReadKernelLog { get; init; } = KernelLog.ReadAll;

    static readonly string[] SearchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The first of /usr/sbin, /sbin, /usr/bin, /bin that holds <paramref name="name"/>, else /usr/sbin/name.</summary>
    public static string Locate(string name, Func<string, bool> isInstalled)
    {
        foreach (var dir in SearchPath)
            if (isInstalled(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return Path.Combine(SearchPath[0], name);
    }

    public static DrbdToolsOptions ForSystem(IProcessRunner runner) => new()
    {
        DrbdAdm = Locate("drbdadm", runner.IsInstalled),
        DrbdSetup = Locate("drbdsetup", runner.IsInstalled),
        ModProbe = Locate("modprobe", runner.IsInstalled),
        ModInfo = Locate("modinfo", runner.IsInstalled),
    };
}

/// <summary>
/// <see cref="IDrbdTools"/> on drbdadm and drbdsetup through the library's process runner:
/// argument arrays only, every call under the caller's deadline. With a DRBD 8.4 module,
/// drbd-utils 9 forward every command to drbdadm-84/drbdsetup-84 themselves.
/// </summary>
public sealed partial class DrbdTools(IProcessRunner runner, DrbdToolsOptions options) : IDrbdTools
{
    public DrbdToolsOptions Options => options;
    bool IsV9 => options.Module is null || options.Module.IsV9;

    string Sys(string path) => Path.Combine(options.SystemRoot, path.TrimStart('/'));

    public bool ModuleLoaded => File.Exists(Sys("/proc/drbd"));

    public bool SplitBrainUnresolved(string resource, IEnumerable<int> minors) =>
        SplitBrainLog.Unresolved(options.ReadKernelLog(), resource, minors);

    public DrbdVersion? LoadedModuleVersion()
    {
        if (ReadFile(Sys("/sys/module/drbd/version")) is { } v && DrbdVersion.TryParse(v) is { } fromSys) return fromSys;
        return ReadFile(Sys("/proc/drbd")) is { } proc ? ProcDrbdParser.Parse(proc).Version : null;
    }

    public bool DeviceNodeExists(string path)
    {
        // File.Exists is true for device nodes (and, in tests, for plain files standing for them).
        try { return File.Exists(Sys(path)); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public DrbdVersion? InstalledModuleVersion(Deadline deadline)
    {
        var r = runner.Run(new ProcessSpec(options.ModInfo, "-F", "version", "drbd"), deadline);
        return r.Succeeded ? DrbdVersion.TryParse(r.Stdout) : null;
    }

    public ProcessResult LoadModule(Deadline deadline)
    {
        var parms = Adm(deadline, "sh-mod-parms");
        var args = new List<string> { "-s", "drbd" };
        if (parms.Succeeded)
            foreach (var word in parms.Stdout.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
                // Module options are name=value words; anything else is not passed on.
                if (ModuleOption().IsMatch(word)) args.Add(word);
        return runner.Run(new ProcessSpec(options.ModProbe, args), deadline);
    }

    public DrbdConfigLookup FindResource(string resource, Deadline deadline)
    {
        var r = runner.Run(AdmSpec(["sh-dev", resource], stacked: options.Stacked), deadline);
        if (r.Succeeded) return new DrbdConfigLookup(true, options.Stacked, Devices(r.Stdout));
        if (options.Stacked) return DrbdConfigLookup.NotFound(r);
        var s = runner.Run(AdmSpec(["sh-dev", resource], stacked: true), deadline);
        return s.Succeeded ? new DrbdConfigLookup(true, true, Devices(s.Stdout)) : DrbdConfigLookup.NotFound(r);
    }

    public bool? AllowsTwoPrimaries(string resource, Deadline deadline)
    {
        var r = Adm(deadline, "-d", "-v", "dump", resource);
        if (!r.Succeeded) return null;
        return r.Stdout.Split('\n').Any(l => AllowTwoPrimaries().IsMatch(l));
    }

    public DrbdStatus Status(string resource, Deadline deadline)
    {
        bool events2 = options.Module is null || options.Module.HasEvents2;
        string[] args = events2 ? ["events2", "--now", resource] : ["sh-status", resource];
        var r = runner.Run(new ProcessSpec(options.DrbdSetup, args), deadline);
        if (!r.Succeeded)
        {
            // drbdsetup's "No such resource" (exit 10) is a clean answer: the kernel does not know it.
            if (r.Outcome == ProcessOutcome.Exited && r.ExitCode == 10 && (r.Stderr + r.Stdout).Contains("No such resource", StringComparison.Ordinal))
                return DrbdStatus.NotConfigured(resource);
            throw new DrbdToolException("drbdsetup " + string.Join(' ', args), r);
        }
        return events2 ? Events2Parser.Parse(r.Stdout, resource) : ShStatusParser.Parse(r.Stdout, resource);
    }

    public ProcessResult CheckResize(string resource, Deadline deadline) => Adm(deadline, "check-resize", resource);
    public ProcessResult NewResource(string resource, Deadline deadline) => Adm(deadline, "new-resource", resource);
    public ProcessResult NewMinor(string resource, Deadline deadline) => Adm(deadline, "new-minor", resource);
    public ProcessResult Attach(string resource, Deadline deadline) =>
        IsV9 ? Adm(deadline, "adjust", "--skip-net", resource) : Adm(deadline, "attach", resource);

    public ProcessResult Adjust(string resource, AdjustOptions o, Deadline deadline)
    {
        var args = new List<string>();
        if (o.Peer84 is { } peer && !IsV9) { args.Add("--peer"); args.Add(peer); }
        if (o.Verbose) args.Add("-v");
        args.Add("adjust");
        args.Add(o.ConnectionTo is { } to && IsV9 ? $"{resource}:{to}" : resource);
        return Adm(deadline, [.. args]);
    }

    public ProcessResult Primary(string resource, Deadline deadline) => Adm(deadline, "primary", resource);
    public ProcessResult Secondary(string resource, Deadline deadline) => Adm(deadline, "secondary", resource);
    public ProcessResult Down(string resource, Deadline deadline) => Adm(deadline, "down", resource);
    public ProcessResult Outdate(string resource, Deadline deadline) => Adm(deadline, "outdate", resource);

    public ProcessResult UnfencePeer(string resource, string extraArgs, Deadline deadline) =>
        runner.Run(AdmSpec(["unfence-peer", resource], options.Stacked) with
        {
            Environment = new Dictionary<string, string?> { ["OCF_RESKEY_unfence_extra_args"] = extraArgs },
        }, deadline);

    public ProcessResult WaitConnectDevice(string device, int seconds, Deadline deadline) =>
        Setup(deadline, ["wait-connect", device, .. Timeouts(seconds)]);
    public ProcessResult WaitConnectResource(string resource, int seconds, Deadline deadline) =>
        Setup(deadline, ["wait-connect-resource", resource, .. Timeouts(seconds)]);
    public ProcessResult WaitConnectConnection(string resource, int peerNodeId, int seconds, Deadline deadline) =>
        Setup(deadline, ["wait-connect-connection", resource, peerNodeId.ToString(CultureInfo.InvariantCulture), .. Timeouts(seconds)]);
    public ProcessResult SetupDown(string resource, Deadline deadline) => Setup(deadline, ["down", resource]);

    static string[] Timeouts(int s)
    {
        string v = s.ToString(CultureInfo.InvariantCulture);
        return [$"--wfc-timeout={v}", $"--degr-wfc-timeout={v}", $"--outdated-wfc-timeout={v}"];
    }

    ProcessResult Adm(Deadline deadline, params string[] args) => runner.Run(AdmSpec(args, options.Stacked), deadline);
    ProcessResult Setup(Deadline deadline, string[] args) => runner.Run(new ProcessSpec(options.DrbdSetup, args), deadline);

    ProcessSpec AdmSpec(IReadOnlyList<string> args, bool stacked)
    {
        var all = new List<string>();
        if (!string.IsNullOrEmpty(options.ConfigFile)) { all.Add("-c"); all.Add(options.ConfigFile); }
        if (stacked) all.Add("-S");
        all.AddRange(args);
        return new ProcessSpec(options.DrbdAdm, all);
    }

    static IReadOnlyList<string> Devices(string shDev) =>
        shDev.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(d => DevicePath().IsMatch(d)).ToList();

    /// <summary>
    /// A file of /proc or /sys, or null when it is absent or unusable: opened without blocking
    /// (a FIFO cannot hang the action), only a regular file, at most 1 MiB (/proc/drbd lists
    /// every minor; /dev/zero there is refused, not read to its end). Local, so on this thread.
    /// </summary>
    static string? ReadFile(string path)
    {
        try { return BoundedFile.ReadAllTextIfExists(path, Deadline.After(TimeSpan.FromSeconds(5)), mayBlock: false); }
        catch (FileException) { return null; }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=[^\s=]*$")]
    private static partial Regex ModuleOption();
    [GeneratedRegex(@"^\s*allow-two-primaries(\s+yes)?;$")]
    private static partial Regex AllowTwoPrimaries();
    [GeneratedRegex(@"^/dev/[-+.0-9:=@A-Z_a-z/]+$")]
    private static partial Regex DevicePath();
}
