using HaCluster.Core.Processes;

namespace HaCluster.Xen.Tests;

/// <summary>
/// The xl parsers, against the outputs captured from real xl 4.17
/// (tests/integration/xen/README.md, "What xl prints").
/// </summary>
public class XlOutputTests
{
    // Captured from `xl list` in the nested Xen lab (real TAB characters in the header).
    const string ListAll =
        "Name                                        ID   Mem VCPUs\tState\tTime(s)\n" +
        "Domain-0                                     0  1024     2     r-----      60.4\n" +
        "g1                                           1   160     1     -b----      18.6\n";

    static ProcessResult Exit(int code, string stdout = "", string stderr = "") => new(ProcessOutcome.Exited, code, 0, stdout, stderr, TimeSpan.FromMilliseconds(400));

    [Fact]
    public void List_rows_parse_by_columns_with_domain_0_first()
    {
        var rows = XlOutput.ParseList(ListAll);
        rows.Should().HaveCount(2);
        rows[0].Should().Be(new XlDomainRow("Domain-0", 0, 1024, 2, "r-----", 60.4));
        rows[1].Should().Be(new XlDomainRow("g1", 1, 160, 1, "-b----", 18.6));
    }

    [Fact]
    public void A_name_longer_than_the_40_character_column_widens_its_line()
    {
        string name = new string('n', 52);
        string line = string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0,-40} {1,5} {2,5} {3,5}     {4}  {5,8:0.0}", name, 7, 512, 4, "--p---", 3.0);
        var rows = XlOutput.ParseList("Name                                        ID   Mem VCPUs\tState\tTime(s)\n" + line + "\n");
        rows.Should().ContainSingle().Which.Should().Be(new XlDomainRow(name, 7, 512, 4, "--p---", 3.0));
        rows[0].Paused.Should().BeTrue();
    }

    [Theory]
    [InlineData("r-----", false, false)]
    [InlineData("------", false, false)]
    [InlineData("---s--", true, false)]
    [InlineData("----c-", false, true)]
    public void State_flags_are_read_by_position(string state, bool shutdown, bool crashed)
    {
        var row = XlOutput.ParseList($"tiny                                         3   160     1     {state}       2.0\n").Single();
        row.Shutdown.Should().Be(shutdown);
        row.Crashed.Should().Be(crashed);
    }

    [Fact]
    public void Lines_that_are_not_rows_are_skipped()
    {
        XlOutput.ParseList("Name   ID\n\ngarbage line\ng1 x 160 1 -b---- 1.0\n").Should().BeEmpty();
    }

    [Fact]
    public void The_invalid_domain_identifier_answer_means_no_such_domain_and_nothing_else_does()
    {
        XlOutput.IsNoSuchDomain(Exit(1, stderr: "nosuch is an invalid domain identifier (rc=-6)\n")).Should().BeTrue();
        XlOutput.IsNoSuchDomain(Exit(1, stderr: "cannot init xl context\n")).Should().BeFalse();
        XlOutput.IsNoSuchDomain(Exit(3, stderr: "nosuch is an invalid domain identifier (rc=-6)\n")).Should().BeFalse();
        XlOutput.IsNoSuchDomain(new ProcessResult(ProcessOutcome.TimedOut, -1, 9, "", "", TimeSpan.FromSeconds(5))).Should().BeFalse();
    }

    [Fact]
    public void Info_is_key_colon_value_in_a_23_column_field()
    {
        var info = new XlInfo(XlOutput.ParseInfo(
            "host                   : dom0\n" +
            "total_memory           : 2047\n" +
            "free_memory            : 1000\n" +
            "nr_cpus                : 2\n" +
            "virt_caps              : pv hvm hap gnttab-v1 gnttab-v2\n" +
            "xen_version            : 4.17.7\n" +
            "xen_scheduler          : credit2\n" +
            "xen_commandline        : console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M\n"), new XlResult(Exit(0)));
        info.TotalMemoryMiB.Should().Be(2047);
        info.FreeMemoryMiB.Should().Be(1000);
        info.VirtCaps.Should().Equal("pv", "hvm", "hap", "gnttab-v1", "gnttab-v2");
        info["xen_version"].Should().Be("4.17.7");
        info["xen_commandline"].Should().Be("console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M", "only the first colon separates");
    }

    [Fact]
    public void Describe_skips_xls_progress_lines_for_the_first_error()
    {
        var create = Exit(3, stderr:
            "Parsing config from /lab/g.cfg\n" +
            "libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 2:Domain with name \"g1\" already exists.\n" +
            "libxl: error: libxl_create.c:1296:initiate_domain_create: Domain 2:cannot make domain: -6\n");
        XlOutput.Describe(create).Should().Be("exited with status 3: libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 2:Domain with name \"g1\" already exists.");
        XlOutput.Describe(Exit(3, stderr: "Failed to read config file: /lab/missing.cfg: No such file or directory\n"))
            .Should().Be("exited with status 3: Failed to read config file: /lab/missing.cfg: No such file or directory");
        XlOutput.Describe(Exit(1, stderr: "command not implemented\n")).Should().Be("exited with status 1: command not implemented");
    }

    [Fact]
    public void Describe_of_a_failed_pv_migration_names_the_logdirty_error()
    {
        var r = Exit(1, stderr:
            "xc: info: Saving domain 2, type x86 PV\n" +
            "xc: error: Failed to enable logdirty: 95,22,0 (22 = Invalid argument): Internal error\n" +
            "Migration failed, failed to suspend at sender.\n");
        XlOutput.Describe(r).Should().Contain("Failed to enable logdirty");
    }
}
