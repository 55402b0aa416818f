using System.Security.Cryptography;

namespace HaCluster.Network.Tests;

[Trait("Requires", "root")]
public sealed class NetworkNamespaceTests : IDisposable
{
    readonly TestNamespace ns = new(TestNamespace.Standard);

    public void Dispose() => ns.Dispose();

    static string ThreadNamespace() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!;

    static string MissingName() => "hc-nl-missing-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    [Fact]
    public void Run_enters_the_namespace_on_another_thread_and_returns_the_result()
    {
        string before = ThreadNamespace();
        var (inside, links) = NetworkNamespace.Run(ns.Name, () =>
        {
            using var netlink = new RtNetlink();
            return (ThreadNamespace(), netlink.Links().Select(l => l.Name).ToList());
        });

        inside.Should().NotBe(before);
        links.Should().BeEquivalentTo("lo", "va", "vb", "d0");
        ThreadNamespace().Should().Be(before, "the caller's thread stays where it was");
    }

    [Fact]
    public void A_socket_stays_in_the_namespace_of_the_thread_that_created_it()
    {
        using var netlink = NetworkNamespace.Run(ns.Name, () => new RtNetlink());
        netlink.FindLink("longname-va")!.Name.Should().Be("va", "the socket was made inside the namespace");
    }

    [Fact]
    public void Run_propagates_exceptions_of_the_work()
    {
        var act = () => NetworkNamespace.Run<int>(ns.Name, () => throw new InvalidOperationException("from inside"));
        act.Should().Throw<InvalidOperationException>().WithMessage("from inside")
            .Which.StackTrace.Should().Contain(nameof(Run_propagates_exceptions_of_the_work));

        var actVoid = () => NetworkNamespace.Run(ns.Name, () => throw new NetlinkException(NetlinkException.EPERM, "x"));
        actVoid.Should().Throw<NetlinkException>().Which.Errno.Should().Be(NetlinkException.EPERM);
    }

    [Fact]
    public void Entering_a_missing_namespace_fails_clearly()
    {
        string name = MissingName();
        string before = ThreadNamespace();
        var act = () => NetworkNamespace.Enter(name);
        act.Should().Throw<FileNotFoundException>().Which.Message.Should().Contain($"'{name}' does not exist").And.Contain("/run/netns/" + name);
        ThreadNamespace().Should().Be(before);

        var run = () => NetworkNamespace.Run(name, () => 1);
        run.Should().Throw<IOException>().WithMessage($"*{name}*does not exist*");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("/run/netns/x")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a\0b")]
    [InlineData(null)]
    public void Hostile_names_are_refused(string? name)
    {
        NetworkNamespace.IsValidName(name).Should().BeFalse();
        var enter = () => NetworkNamespace.Enter(name!);
        enter.Should().Throw<ArgumentException>();
        var run = () => NetworkNamespace.Run(name!, () => 1);
        run.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Names_are_at_most_255_bytes()
    {
        var tooLong = new string('a', 300);
        var enter = () => NetworkNamespace.Enter(tooLong);
        enter.Should().Throw<ArgumentException>();
        NetworkNamespace.IsValidName(new string('é', 128)).Should().BeFalse("256 bytes in UTF-8");
        NetworkNamespace.IsValidName(new string('a', 255)).Should().BeTrue();
        var act = () => NetworkNamespace.Enter(new string('a', 255));
        act.Should().Throw<FileNotFoundException>();
    }
}
