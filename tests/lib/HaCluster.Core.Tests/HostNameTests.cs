namespace HaCluster.Core.Tests;

public class HostNameTests
{
    [Theory]
    [InlineData("node2")]
    [InlineData("node2.example.com")]
    [InlineData("node_2-mig")]
    [InlineData("198.51.100.7")]
    [InlineData("2001:db8::7")]
    [InlineData("::1")]
    [InlineData("::ffff:198.51.100.7")]
    public void Host_names_and_addresses_are_accepted(string value) =>
        HostName.IsNameOrAddress(value).Should().BeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("node2$(touch /tmp/x)")]
    [InlineData("node2;reboot")]
    [InlineData("node2 -oProxyCommand=x")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("node2-")]
    [InlineData("node2\n")]
    [InlineData("`id`")]
    [InlineData("root@node2")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::7::8")]
    public void Anything_else_is_refused(string value) =>
        HostName.IsNameOrAddress(value).Should().BeFalse();

    [Fact]
    public void A_name_longer_than_dns_allows_is_refused()
    {
        HostName.IsNameOrAddress(new string('a', 253)).Should().BeTrue();
        HostName.IsNameOrAddress(new string('a', 254)).Should().BeFalse();
    }
}
