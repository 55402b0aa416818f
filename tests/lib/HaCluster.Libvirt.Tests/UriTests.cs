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
}
