using HaCluster.Core;
using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

/// <summary>
/// A private libvirtd with the test driver through its socket (tests/integration/libvirt/README.md,
/// "The test driver"), and one holder connection open for the fixture's life so that
/// test:///default keeps its state: the shared instance is reset when its last connection closes.
/// </summary>
public sealed class LibvirtDaemonFixture : IDisposable
{
    readonly PrivateLibvirtd daemon = new("test", "5a1d0000-0000-4000-8000-0000000000c5");

    public LibvirtDaemonFixture() => Holder = LibvirtConnection.Open(TestUri, Deadline.After(TimeSpan.FromSeconds(5)));

    public string BaseDir => daemon.BaseDir;
    public string SocketPath => daemon.SocketPath;
    public string TestUri => daemon.TestUri;
    public int DaemonPid => daemon.DaemonPid;
    /// <summary>Open all along: the test driver's state lives while a connection does.</summary>
    public LibvirtConnection Holder { get; }

    public void Freeze() => daemon.Freeze();
    public void Thaw() => daemon.Thaw();

    public void Dispose()
    {
        try
        {
            var deadline = Deadline.After(TimeSpan.FromSeconds(3));
            foreach (var d in Holder.ListAllDomains(ListDomainsFlags.Active, deadline))
                try { Holder.Destroy(d, deadline); } catch (LibvirtException) { }
            Holder.Close(deadline);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException or ObjectDisposedException) { }
        Holder.Dispose();
        daemon.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LibvirtDaemonCollection : ICollectionFixture<LibvirtDaemonFixture>
{
    public const string Name = "libvirtd";
}
