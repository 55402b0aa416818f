using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Files;
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
    FileException? xmfileProblem;
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
        OpenXl();
        xmfileRead = false;
        settings = new XenSettings(
            Domain: ResolveDomainName(domainName.Value, xmfile.Value),
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
        if (Action is "start" or "validate-all") RequireXmfile();
    }

    void OpenXl() =>
        xl = openXl(Processes, FindInPath("xl") ?? throw OcfError.NotInstalled("xl (the Xen toolstack) is not installed: not found in PATH"));

    /// <summary>
    /// Why a domain name is not usable with xl, or null. xl takes a name of digits as a domain id,
    /// a leading '-' as an option; Domain-0 is dom0 itself; quotes and backslashes would change the
    /// meaning of the name="…" setting on the create command line.
    /// </summary>
    static string? InvalidDomainName(string name)
    {
        if (name.Length > MaxDomainNameLength) return $"must not be longer than {MaxDomainNameLength} characters (xenstore holds no longer name)";
        if (name.StartsWith('-')) return "must not begin with '-' (xl would take it as an option)";
        if (name.All(char.IsAsciiDigit)) return "must not be a number (xl would take it as a domain id)";
        if (name == "Domain-0") return "must not be Domain-0 (dom0 itself)";
        if (name.IndexOfAny(['"', '\'', '\\']) >= 0) return "must not contain quotes or backslashes";
        return null;
    }

    /// <summary>xenstore's largest message (XENSTORE_PAYLOAD_MAX): no domain name is longer.</summary>
    const int MaxDomainNameLength = 4096;

    /// <summary>At most nine digits: the value then always fits a long, and a sign or unit is refused.</summary>
    static bool IsWholeNumber(string v) => v.Length <= 9 && v.All(char.IsAsciiDigit);

    string ResolveDomainName(string nameParameter, string xmfilePath)
    {
        if (nameParameter.Length > 0) return nameParameter;
        if (XmfileConfig(xmfilePath)?.Name is { Length: > 0 } fromFile)
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
    /// it), or null when it is missing, unusable (<see cref="xmfileProblem"/> says why) or not xl
    /// syntax (xl will say why on start). Read bounded, never blocking on a FIFO, and within a
    /// quarter of what the action has left: a file on a dead NFS server must leave time for the
    /// rest of a stop.
    /// </summary>
    XlConfig? XmfileConfig(string path)
    {
        if (xmfileRead) return xmfileConfig;
        xmfileRead = true;
        xmfileConfig = null;
        xmfileProblem = null;
        try
        {
            return xmfileConfig = XlConfig.Load(path, Deadline.Fraction(0.25));
        }
        catch (FileException e)
        {
            xmfileProblem = e;
            if (e.Problem != FileProblem.NotFound && ShouldWarnAboutConfiguration)
                LogXmfileUnreadable(Log, SafeText.Quote(path, 200), e.Cause);
        }
        catch (XlConfigException e)
        {
            if (ShouldWarnAboutConfiguration)
                LogXmfileUnreadable(Log, SafeText.Quote(path, 200), SafeText.OneLine(e.Message));
        }
        return null;
    }

    /// <summary>Whether the xmfile is known to be absent (a dead NFS server's file is not "absent").</summary>
    bool XmfileIsMissing()
    {
        XmfileConfig(Settings.Xmfile);
        return xmfileProblem?.Problem == FileProblem.NotFound;
    }

    /// <summary>start and validate-all need a readable xmfile: absent is "not installed" (probe rule), unusable a configuration error.</summary>
    void RequireXmfile()
    {
        XmfileConfig(Settings.Xmfile);
        switch (xmfileProblem?.Problem)
        {
            case null: return;
            case FileProblem.NotFound: throw XmfileMissing();
            case FileProblem.TimedOut or FileProblem.Failed:
                throw OcfError.Generic($"cannot read the config file {SafeText.Quote(Settings.Xmfile, 200)} of domain {SafeText.Quote(Domain)}: {xmfileProblem.Cause}");
            default:
                throw OcfError.Configured($"the config file {SafeText.Quote(Settings.Xmfile, 200)} of domain {SafeText.Quote(Domain)} cannot be used: {xmfileProblem.Cause}");
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
