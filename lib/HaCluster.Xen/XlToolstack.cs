using System.Globalization;
using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Xen;

/// <summary>The xl toolstack through the library's process runner: one argument array per call.</summary>
public sealed class XlToolstack(IProcessRunner runner, string path) : IXlToolstack
{
    public string Path { get; } = path;

    XlResult Run(Deadline deadline, params string[] args) => new(runner.Run(new ProcessSpec(Path, args), deadline));

    public XlListing List(string name, Deadline deadline)
    {
        var r = Run(deadline, "list", name);
        if (r.Succeeded)
        {
            // "xl list NAME" prints the header and that row only; xl matches NAME as a domid when it
            // is a number, so the row is looked up by name and else taken as it comes.
            var rows = XlOutput.ParseList(r.Process.Stdout);
            var row = rows.FirstOrDefault(x => x.Name == name) ?? (rows.Count == 1 ? rows[0] : null);
            return new XlListing(XlDomainState.Exists, row, r);
        }
        return new XlListing(r.NoSuchDomain ? XlDomainState.NoSuchDomain : XlDomainState.Failed, null, r);
    }

    public XlTable ListAll(Deadline deadline)
    {
        var r = Run(deadline, "list");
        return new XlTable(r.Succeeded ? XlOutput.ParseList(r.Process.Stdout) : [], r);
    }

    public XlResult Create(string configFile, IReadOnlyList<string> settings, Deadline deadline) =>
        Run(deadline, ["create", configFile, .. settings]);

    public XlResult Shutdown(string name, bool wait, Deadline deadline) =>
        wait ? Run(deadline, "shutdown", "-w", name) : Run(deadline, "shutdown", name);

    public XlResult TriggerPower(string name, Deadline deadline) => Run(deadline, "trigger", name, "power");

    public XlResult Destroy(string name, Deadline deadline) => Run(deadline, "destroy", name);

    public XlResult Migrate(string name, string host, Deadline deadline) => Run(deadline, "migrate", name, host);

    public XlResult MemSet(string name, long mebibytes, Deadline deadline) =>
        Run(deadline, "mem-set", name, mebibytes.ToString(CultureInfo.InvariantCulture));

    public XlInfo Info(Deadline deadline)
    {
        var r = Run(deadline, "info");
        return new XlInfo(r.Succeeded ? XlOutput.ParseInfo(r.Process.Stdout) : new Dictionary<string, string>(), r);
    }
}
