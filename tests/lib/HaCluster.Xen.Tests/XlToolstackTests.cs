using HaCluster.Core;
using HaCluster.Testing;

namespace HaCluster.Xen.Tests;

/// <summary>The binding's argument arrays: one xl process per call, arguments exactly as given.</summary>
public class XlToolstackTests
{
    readonly ScriptedProcessRunner runner = new();
    readonly XlToolstack xl;
    readonly Deadline deadline = Deadline.After(TimeSpan.FromSeconds(5));

    public XlToolstackTests() => xl = new XlToolstack(runner, "/usr/sbin/xl");

    [Fact]
    public void Every_call_is_one_argument_array_for_the_given_xl()
    {
        xl.Create("/etc/xen/vm1.cfg", [XlConfig.Setting("name", "vm 1"), XlConfig.Setting("memory", 512)], deadline);
        xl.Shutdown("vm1", wait: false, deadline);
        xl.Shutdown("vm1", wait: true, deadline);
        xl.TriggerPower("vm1", deadline);
        xl.Destroy("vm1", deadline);
        xl.Migrate("vm1", "198.51.100.7", deadline);
        xl.MemSet("vm1", 768, deadline);
        xl.Info(deadline);
        xl.ListAll(deadline);
        runner.Calls.Should().OnlyContain(c => c.Path == "/usr/sbin/xl");
        runner.Calls.Select(c => string.Join('|', c.Arguments)).Should().Equal(
            "create|/etc/xen/vm1.cfg|name=\"vm 1\"|memory=512",
            "shutdown|vm1",
            "shutdown|-w|vm1",
            "trigger|vm1|power",
            "destroy|vm1",
            "migrate|vm1|198.51.100.7",
            "mem-set|vm1|768",
            "info",
            "list");
    }

    [Fact]
    public void List_tells_exists_from_no_such_domain_from_failure()
    {
        runner.Answer = spec => spec.Arguments[1] switch
        {
            "g1" => ScriptedProcessRunner.Ok("Name                                        ID   Mem VCPUs\tState\tTime(s)\ng1                                           1   160     1     -b----      18.6\n"),
            "nosuch" => ScriptedProcessRunner.Exit(1, "nosuch is an invalid domain identifier (rc=-6)\n"),
            _ => ScriptedProcessRunner.Exit(1, "cannot init xl context\n"),
        };
        var g1 = xl.List("g1", deadline);
        g1.State.Should().Be(XlDomainState.Exists);
        g1.Row!.MemoryMiB.Should().Be(160);
        xl.List("nosuch", deadline).State.Should().Be(XlDomainState.NoSuchDomain);
        var broken = xl.List("other", deadline);
        broken.State.Should().Be(XlDomainState.Failed);
        broken.Result.Describe().Should().Be("exited with status 1: cannot init xl context");
    }
}
