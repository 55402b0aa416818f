using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Ocf;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen;

/// <summary>
/// ocf:hacluster:Xen — a Xen domU on the xl toolstack, a drop-in for ocf:heartbeat:Xen. Every
/// xl call is one process with an argument array (no shell, no sed, no awk); a monitor is exactly
/// one <c>xl list NAME</c>, whose row also gives the utilization.
/// </summary>
/// <remarks>
/// Laid out as every agent is (README, "Writing an agent"): this file holds the constructor and
/// its seam, the state of one invocation and <see cref="Validate"/>; XenAgent.MetaData.cs the
/// parameters; one partial file per family of actions (Status, StartStop, Migration, Reload),
/// XenAgent.Memory.cs the memory management that start, stop and migration share, and
/// XenAgent.Log.cs every log message.
/// </remarks>
public sealed partial class XenAgent : ResourceAgent
{
    /// <summary>The directories searched for xl when PATH is unset (Pacemaker's execd sets one).</summary>
    const string DefaultPath = "/usr/sbin:/usr/bin:/sbin:/bin";

    readonly Func<IProcessRunner, string, IXlToolstack> openXl;

    /// <param name="openXl">Makes the toolstack binding for the xl found in PATH (tests pass a fake).</param>
    public XenAgent(Func<IProcessRunner, string, IXlToolstack>? openXl = null)
    {
        this.openXl = openXl ?? ((runner, path) => new XlToolstack(runner, path));
    }

    IXlToolstack? xl;
    XenSettings? settings;
    XlConfig? xmfileConfig;
    bool xmfileRead;

    /// <summary>The xl binding of this invocation, made by <see cref="Validate"/>.</summary>
    IXlToolstack Xl => xl ?? throw new InvalidOperationException("Validate has not run");

    /// <summary>The parameters of this invocation, as <see cref="Validate"/> found them.</summary>
    XenSettings Settings => settings ?? throw new InvalidOperationException("Validate has not run");

    /// <summary>The domain this resource is.</summary>
    string Domain => Settings.Domain;

    /// <summary>
    /// Finds xl, settles the domain name and returns the parameters as one immutable record. The
    /// host calls this before every action but meta-data and usage, and once more with the new
    /// values when a reload restarts the resource: the xmfile is then read again.
    /// </summary>
    public override void Validate()
    {
        xl = openXl(Processes, FindInPath("xl") ?? throw OcfError.NotInstalled("xl (the Xen toolstack) is not installed: not found in PATH"));
        xmfileRead = false;
        settings = new XenSettings(
            Domain: ResolveDomainName(),
            Xmfile: xmfile.Value,
            ShutdownTimeout: shutdownTimeout.Value.Length > 0
                ? TimeSpan.FromSeconds(long.Parse(shutdownTimeout.Value, CultureInfo.InvariantCulture))
                : null,
            ShutdownAcpi: shutdownAcpi.Value,
            ManageMemory: allowMemManagement.Value,
            ReservedDom0MiB: long.Parse(reservedDom0Memory.Value.Length > 0 ? reservedDom0Memory.Value : "512", CultureInfo.InvariantCulture),
            NodeIpAttribute: nodeIpAttribute.Value.Length > 0 ? nodeIpAttribute.Value : null,
            AutosetUtilizationCpu: autosetUtilizationCpu.Value,
            AutosetUtilizationHvMemory: autosetUtilizationHvMemory.Value,
            MonitorScripts: monitorScripts.Value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        // The file is needed to create the domain; for everything else the name is enough.
        if (Action is "start" or "validate-all" && !File.Exists(Settings.Xmfile))
            throw XmfileMissing();
    }

    /// <summary>
    /// Why a domain name is not usable with xl, or null. xl takes a name of digits as a domain id,
    /// a leading '-' as an option; Domain-0 is dom0 itself; quotes and backslashes would change the
    /// meaning of the name="…" setting on the create command line.
    /// </summary>
    static string? InvalidDomainName(string name)
    {
        if (name.StartsWith('-')) return "must not begin with '-' (xl would take it as an option)";
        if (name.All(char.IsAsciiDigit)) return "must not be a number (xl would take it as a domain id)";
        if (name == "Domain-0") return "must not be Domain-0 (dom0 itself)";
        if (name.IndexOfAny(['"', '\'', '\\']) >= 0) return "must not contain quotes or backslashes";
        return null;
    }

    /// <summary>At most nine digits: the value then always fits a long, and a sign or unit is refused.</summary>
    static bool IsWholeNumber(string v) => v.Length <= 9 && v.All(char.IsAsciiDigit);

    string ResolveDomainName()
    {
        if (domainName.Value.Length > 0) return domainName.Value;
        if (XmfileConfig?.Name is { Length: > 0 } fromFile)
        {
            // The shell agent rejects '%' and whitespace (Python-era name templates); the others
            // are names xl would misread (see InvalidDomainName).
            if (fromFile.IndexOfAny(['%', ' ', '\t', '\n', '\r']) < 0 && InvalidDomainName(fromFile) is null) return fromFile;
            if (ShouldWarnAboutConfiguration)
                LogUnusableNameInXmfile(Log, SafeText.Quote(fromFile), Instance);
        }
        return Instance;
    }

    /// <summary>
    /// The parsed xmfile, read once and only when first needed (a probe with name set never reads
    /// it), or null when it is missing, unreadable or not xl syntax (xl will say why on start).
    /// </summary>
    XlConfig? XmfileConfig
    {
        get
        {
            if (!xmfileRead) { xmfileConfig = ReadXmfile(); xmfileRead = true; }
            return xmfileConfig;
        }
    }

    XlConfig? ReadXmfile()
    {
        string path = xmfile.Value;
        if (!File.Exists(path)) return null;
        try { return XlConfig.Load(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XlConfigException)
        {
            if (ShouldWarnAboutConfiguration)
                LogXmfileUnreadable(Log, SafeText.Quote(path, 200), SafeText.OneLine(e.Message));
            return null;
        }
    }

    OcfException XmfileMissing() =>
        OcfError.NotInstalled($"config file {SafeText.Quote(Settings.Xmfile, 200)} for domain {SafeText.Quote(Domain)} does not exist");

    /// <summary>
    /// The first <paramref name="program"/> in PATH, or null. Relative directories of PATH are
    /// skipped: what they name would depend on the working directory the agent was started in.
    /// </summary>
    string? FindInPath(string program)
    {
        string path = Env.Get("PATH") is { Length: > 0 } p ? p : DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            if (!dir.StartsWith('/')) continue;
            string candidate = Path.Combine(dir, program);
            if (Processes.IsInstalled(candidate)) return candidate;
        }
        return null;
    }
}
