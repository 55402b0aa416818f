using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace HaCluster.Network.Tests;

/// <summary>Dumps that span many datagrams, while the table changes under them.</summary>
[Trait("Requires", "root")]
public sealed class DumpTests(ITestOutputHelper output) : IDisposable
{
    const int Count = 2000;
    readonly TestNamespace ns = new(withDummy: false,
        [.. TestNamespace.Standard, .. Enumerable.Range(1, Count).Select(i => $"address add 2001:db8:100::{i:x}/128 dev va nodad")]);

    public void Dispose() => ns.Dispose();

    [Fact]
    public void A_dump_of_many_datagrams_is_complete()
    {
        var addresses = ns.Run(n => n.Addresses(AddressFamily.InterNetworkV6));
        addresses.Count(a => a.Address.ToString().StartsWith("2001:db8:100::", StringComparison.Ordinal)).Should().Be(Count);
        addresses.Select(a => (a.LinkIndex, a.Address)).Should().OnlyHaveUniqueItems();
    }

    /// <summary>
    /// The kernel flags a dump that saw a change (NLM_F_DUMP_INTR) and the dump is repeated. The
    /// flag is best effort: Linux 6.18 misses some interruptions (`ip addr` then prints one
    /// address too many or too few without its "Dump was interrupted" warning), and never flags
    /// dumps filtered by link in the kernel, which is why the library filters links itself.
    /// </summary>
    [Fact]
    public void Dumps_interrupted_by_changes_are_repeated()
    {
        int va = ns.Index("va");
        using var stop = new CancellationTokenSource();
        int changes = 0;
        var churn = new Thread(() => ns.Run(n =>
        {
            var extra = IPAddress.Parse("2001:db8:200::1");
            while (!stop.IsCancellationRequested)
            {
                n.AddAddress(new AddressRequest(va, extra, 128) { Flags = AddressFlags.NoDad });
                Thread.Sleep(3);
                n.DeleteAddress(va, extra, 128);
                Thread.Sleep(3);
                Interlocked.Add(ref changes, 2);
            }
        }));
        churn.Start();
        try
        {
            var (repeats, exact) = ns.Run(n =>
            {
                int exact = 0;
                for (int i = 0; i < 100; i++)
                {
                    int stable = n.Addresses(AddressFamily.InterNetworkV6, i % 2 == 0 ? va : null)
                        .Count(a => a.Address.ToString().StartsWith("2001:db8:100::", StringComparison.Ordinal));
                    stable.Should().BeInRange(Count - 1, Count + 1);
                    if (stable == Count) exact++;
                }
                return (n.DumpRepeats, exact);
            });
            output.WriteLine($"100 dumps of {Count} addresses during {changes} changes: {repeats} repeated (NLM_F_DUMP_INTR), {exact} exact");
            repeats.Should().BePositive("some dumps overlap a change");
            exact.Should().BeGreaterThan(50, "the kernel misses few interruptions");
        }
        finally
        {
            stop.Cancel();
            churn.Join();
        }
    }
}
