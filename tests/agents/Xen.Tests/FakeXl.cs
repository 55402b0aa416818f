using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Xen;

namespace HaCluster.Agents.Xen.Tests;

/// <summary>
/// An in-memory <see cref="IXlToolstack"/>: domains by name, every call recorded with the time
/// on <paramref name="clock"/> since the fake was made. With a manual clock (the agent's deadline
/// runs on the same one) those times are exactly what the agent's budgets gave each step.
/// </summary>
public sealed class FakeXl(Clock clock) : IXlToolstack
{
    readonly long created = clock.GetTimestamp();
    public Dictionary<string, XlDomainRow> Domains { get; } = [];
    public HashSet<string> IgnoreShutdown { get; } = [];
    public List<(TimeSpan At, string Call)> Calls { get; } = [];
    public string Path => "/usr/sbin/xl";
    public long TotalMemory { get; set; } = 4096;
    public string VirtCaps { get; set; } = "pv hvm hap shadow gnttab-v1 gnttab-v2";

    static XlResult Ok(string stderr = "") => new(new ProcessResult(ProcessOutcome.Exited, 0, 0, "", stderr, TimeSpan.Zero));
    static XlResult Invalid(string name) => new(new ProcessResult(ProcessOutcome.Exited, 1, 0, "", $"{name} is an invalid domain identifier (rc=-6)\n", TimeSpan.Zero));
    void Record(string call) => Calls.Add((clock.GetElapsedTime(created), call));

    /// <summary>When the first call <paramref name="call"/> was made.</summary>
    public TimeSpan FirstAt(string call) => Calls.First(c => c.Call == call).At;

    public void Add(string name, long mem = 160, int vcpus = 1) => Domains[name] = new XlDomainRow(name, Domains.Count + 1, mem, vcpus, "-b----", 1.0);

    public XlListing List(string name, Deadline deadline)
    {
        Record($"list {name}");
        return Domains.TryGetValue(name, out var row) ? new(XlDomainState.Exists, row, Ok()) : new(XlDomainState.NoSuchDomain, null, Invalid(name));
    }
    public XlTable ListAll(Deadline deadline) { Record("list"); return new([.. Domains.Values], Ok()); }
    public XlResult Create(string configFile, IReadOnlyList<string> settings, Deadline deadline)
    {
        Record($"create {configFile} {string.Join(' ', settings)}");
        string name = XlConfig.Parse(settings[0]).Name!;
        Add(name);
        return Ok("Parsing config from " + configFile);
    }
    public XlResult Shutdown(string name, bool wait, Deadline deadline)
    {
        Record($"shutdown {name}");
        if (!Domains.ContainsKey(name)) return Invalid(name);
        if (!IgnoreShutdown.Contains(name)) Domains.Remove(name);
        return Ok();
    }
    public XlResult TriggerPower(string name, Deadline deadline) { Record($"trigger {name} power"); return Shutdown(name, false, deadline); }
    public XlResult Destroy(string name, Deadline deadline) { Record($"destroy {name}"); return Domains.Remove(name) ? Ok() : Invalid(name); }
    public XlResult Migrate(string name, string host, Deadline deadline) { Record($"migrate {name} {host}"); Domains.Remove(name); return Ok(); }
    public XlResult MemSet(string name, long mebibytes, Deadline deadline) { Record($"mem-set {name} {mebibytes}"); return Ok(); }
    public XlInfo Info(Deadline deadline)
    {
        Record("info");
        return new(new Dictionary<string, string> { ["total_memory"] = TotalMemory.ToString(CultureInfo.InvariantCulture), ["virt_caps"] = VirtCaps }, Ok());
    }
}
