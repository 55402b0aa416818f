using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Testing;
using HaCluster.Xen;

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

/// <summary>The xl configuration syntax (xl.cfg(5), libxlu's lexer and grammar).</summary>
public class XlConfigTests
{
    [Theory]
    [InlineData("name = \"vm1\"\n", "vm1")]
    [InlineData("name='vm1'", "vm1")]
    [InlineData("name=\"vm1\" # the web server\n", "vm1")]
    [InlineData("# name = \"commented\"\nname = \"real\"\n", "real")]
    [InlineData("name = \"first\"\nname = \"second\"\n", "second")]
    [InlineData("memory = 160; name = \"semi\"; vcpus = 1", "semi")]
    [InlineData("name = \"a\\\"b\"\n", "a\"b")]
    [InlineData("name = \"tab\\there\"\n", "tab\there")]
    [InlineData("name = \"x\\x41\\101\"\n", "xAA")]
    [InlineData("name = \"#not a comment\"\n", "#not a comment")]
    public void The_name_is_read_as_xl_reads_it(string text, string name)
    {
        XlConfig.Parse(text).Name.Should().Be(name);
    }

    [Fact]
    public void Lists_may_span_lines_and_do_not_hide_later_settings()
    {
        var c = XlConfig.Parse("""
            disk = [ 'phy:/dev/vg/vm1,xvda,w',
                     'file:/srv/iso,xvdc:cdrom,r', ]
            vif = [ 'bridge=xenbr0' ]
            name = "vm1"
            memory = 160
            """);
        c.Name.Should().Be("vm1");
        c.MemoryMiB.Should().Be(160);
        c.Settings["disk"].List.Should().HaveCount(2);
        c.String("disk").Should().BeNull("a list is not a string");
    }

    [Theory]
    [InlineData("type = \"pvh\"", "pvh")]
    [InlineData("type = \"PV\"", "pv")]
    [InlineData("builder = \"hvm\"", "hvm")]
    [InlineData("builder = \"generic\"", "pv")]
    [InlineData("kernel = \"/boot/vmlinuz\"", "pv")]
    public void The_guest_type_is_type_else_builder_else_pv(string text, string type)
    {
        XlConfig.Parse(text).GuestType.Should().Be(type);
    }

    [Theory]
    [InlineData("memory memory = 4\n")]
    [InlineData("name = \"unterminated\n")]
    [InlineData("name = vm1\n")]
    [InlineData("Name = \"upper\"\n")]
    [InlineData("\n\ndisk = [ 'a'\n")]
    public void A_syntax_error_is_reported_with_its_line(string text)
    {
        var act = () => XlConfig.Parse(text, "/etc/xen/vm1.cfg");
        int line = text.StartsWith('\n') ? 4 : 1;   // an unterminated list ends at the end of the file
        act.Should().Throw<XlConfigException>().WithMessage($"/etc/xen/vm1.cfg:{line}: *");
    }

    [Fact]
    public void A_python_name_expression_is_no_name()
    {
        // xm-era configs computed names in Python; xl rejects that, and so does the parser.
        var act = () => XlConfig.Parse("name = \"vm\" + str(3)\n");
        act.Should().Throw<XlConfigException>();
    }

    [Fact]
    public void Command_line_settings_quote_and_escape_the_value()
    {
        XlConfig.Setting("name", "vm1").Should().Be("name=\"vm1\"");
        XlConfig.Setting("name", "a\"b\\c").Should().Be("name=\"a\\\"b\\\\c\"");
        XlConfig.Parse(XlConfig.Setting("name", "a\"b\\c $(x); y")).Name.Should().Be("a\"b\\c $(x); y", "xl reads back exactly the value");
        XlConfig.Setting("memory", 768).Should().Be("memory=768");
    }
}

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
