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
}
