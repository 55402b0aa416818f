using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

public sealed class UriTests
{
    [Theory]
    [InlineData("qemu:///system", true, "/run/libvirt/virtqemud-sock", "qemu:///system")]
    [InlineData("qemu:///system", false, "/run/libvirt/libvirt-sock", "qemu:///system")]
    [InlineData("qemu+unix:///system", false, "/run/libvirt/libvirt-sock", "qemu:///system")]
    [InlineData("test:///default", true, "/run/libvirt/libvirt-sock", "test:///default")]
    [InlineData("test+unix:///default?socket=/x/sock/libvirt-sock", true, "/x/sock/libvirt-sock", "test:///default")]
    [InlineData("qemu+unix:///system?socket=/a%20b/s&mode=direct", true, "/a b/s", "qemu:///system")]
    [InlineData("lxc:///system", true, "/run/libvirt/virtlxcd-sock", "lxc:///system")]
    public void Socket_and_name_like_libvirts_client(string uri, bool modularExists, string socket, string name)
    {
        var parsed = LibvirtUri.Parse(uri, _ => modularExists);
        parsed.SocketPath.Should().Be(socket);
        parsed.Name.Should().Be(name);
    }

    [Theory]
    [InlineData("qemu+ssh://host/system")]
    [InlineData("qemu+tls://host/system")]
    [InlineData("qemu://host/system")]
    [InlineData("not a uri")]
    public void Remote_or_malformed_uris_are_refused(string uri)
    {
        var act = () => LibvirtUri.Parse(uri);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void DefaultSocketPath_honours_socket_parameter()
    {
        LibvirtConnection.DefaultSocketPath("test+unix:///default?socket=/x/sock/libvirt-sock").Should().Be("/x/sock/libvirt-sock");
    }

    [Theory]
    [InlineData("qemu+ssh://host/system")]
    [InlineData("qemu+unix:///system?socket=/sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss")]
    public void Refusals_are_sentences_of_ours_not_the_runtimes_parameter_decoration(string uri)
    {
        // NativeAOT turns ArgumentException's "(Parameter 'uri')" into the resource key Arg_ParamName_Name.
        var act = () => LibvirtUri.Parse(uri);
        var e = act.Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().BeNull();
        e.Message.Should().NotContain("Parameter");
        HaCluster.Core.ExceptionText.IsOurs(e).Should().BeTrue();
    }

    [Fact]
    public void A_socket_path_longer_than_a_unix_address_holds_is_a_problem_of_ours_not_a_runtime_exception()
    {
        string uri = "qemu+unix:///system?socket=/" + new string('s', 107);
        LibvirtUri.Problem(uri).Should().Contain("108 bytes long, more than the 107");
        LibvirtUri.Problem("qemu+unix:///system?socket=/" + new string('s', 106)).Should().BeNull();
        var act = () => LibvirtUri.Parse(uri);
        act.Should().Throw<LibvirtUriException>().Which.Message.Should().NotContain("Parameter").And.NotContain("Arg_");
    }

    [Fact]
    public void Problems_quote_a_hostile_uri_bounded()
    {
        LibvirtUri.Problem(new string('x', 100_000)).Should().Match(p => p.Length < 300, "a 100 KB value must not flood the reason");
    }
}
