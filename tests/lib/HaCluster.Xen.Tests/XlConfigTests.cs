using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Xen.Tests;

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

    [Fact]
    public void Lists_nested_100000_deep_are_a_syntax_error_not_a_stack_overflow()
    {
        // Run on a thread with the agent's default stack: a recursion per '[' would end the
        // process (SIGSEGV), which no test could catch.
        Exception? thrown = null;
        var t = new Thread(() =>
        {
            try { XlConfig.Parse("name = \"vm1\"\ndisk = " + new string('[', 100_000) + new string(']', 100_000) + "\n", "/etc/xen/deep.cfg"); }
            catch (Exception e) { thrown = e; }
        });
        t.Start();
        t.Join();
        thrown.Should().BeOfType<XlConfigException>().Which.Message.Should().Be("/etc/xen/deep.cfg:2: lists nested deeper than 32 levels");
    }

    [Fact]
    public void Lists_nested_as_deep_as_the_limit_still_parse()
    {
        var c = XlConfig.Parse("x = " + new string('[', XlConfig.MaxNesting) + "1" + new string(']', XlConfig.MaxNesting));
        c.Settings["x"].List.Should().ContainSingle();
    }

    [Fact]
    public void Many_appends_to_a_list_take_linear_time()
    {
        var text = new System.Text.StringBuilder("disk = [ 'a' ]\n");
        for (int i = 0; i < 50_000; i++) text.Append("disk += [ 'b' ]\n");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var c = XlConfig.Parse(text.ToString());
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "copying the list on every append is quadratic");
        c.Settings["disk"].List.Should().HaveCount(50_001);
    }

    [Fact]
    public void A_fifo_is_refused_at_once_instead_of_blocking_the_read()
    {
        using var dir = new TempDir();
        string fifo = dir["vm.cfg"];
        new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", fifo), Deadline.After(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var act = () => XlConfig.Load(fifo, Deadline.After(TimeSpan.FromSeconds(10)));
        act.Should().Throw<FileException>().Which.Problem.Should().Be(FileProblem.NotRegularFile);
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_file_over_1_MiB_is_refused()
    {
        using var dir = new TempDir();
        string big = dir["big.cfg"];
        File.WriteAllText(big, "name = \"" + new string('x', XlConfig.MaxFileBytes) + "\"\n");
        var act = () => XlConfig.Load(big, Deadline.After(TimeSpan.FromSeconds(10)));
        act.Should().Throw<FileException>().Which.Problem.Should().Be(FileProblem.TooLarge);
    }
}
