using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2.Tests;

/// <summary>An in-memory kernel for the agents' logic tests (the real one is tested in namespaces).</summary>
public sealed class FakeNetworkStack : INetworkStack
{
    public List<LinkInfo> LinkList { get; } = [];
    public List<AddressInfo> AddressList { get; } = [];
    public List<RouteInfo> RouteList { get; } = [];
    public List<string> Calls { get; } = [];
    public List<(IPAddress, int, uint)> Labels { get; } = [];
    /// <summary>IPv6 addresses added without nodad stay tentative for this many reads, then become valid (or fail DAD).</summary>
    public int DadReads { get; set; } = 2;
    public bool DadFails { get; set; }
    readonly Dictionary<IPAddress, int> tentativeReads = [];

    public FakeNetworkStack WithLink(int index, string name, bool up = true, bool carrier = true, string mac = "02-00-00-00-00-01", params string[] altNames)
    {
        LinkList.Add(new LinkInfo(index, name, altNames, (up ? 1u : 0) | (carrier ? 0x10000u : 0) | (name == "lo" ? 8u : 0), 6,
            (ushort)(name == "lo" ? 772 : 1), name == "lo" ? new PhysicalAddress(new byte[6]) : PhysicalAddress.Parse(mac),
            PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), 1500));
        return this;
    }

    public FakeNetworkStack WithAddress(int link, string cidr, uint flags = 0)
    {
        var (a, p) = Split(cidr);
        AddressList.Add(new AddressInfo(link, a.AddressFamily, a, p, null, null, flags, 0, uint.MaxValue, uint.MaxValue));
        return this;
    }

    public FakeNetworkStack WithRoute(int link, string cidr, uint? metric = null, byte scope = 253, byte type = 1, int table = RouteTables.Main, string? gateway = null)
    {
        var (a, p) = Split(cidr);
        RouteList.Add(new RouteInfo(a.AddressFamily, a, p, link, gateway is null ? null : IPAddress.Parse(gateway), null, metric, table, type, 2, scope, 0));
        return this;
    }

    static (IPAddress, int) Split(string cidr)
    {
        var parts = cidr.Split('/');
        return (IPAddress.Parse(parts[0]), int.Parse(parts[1]));
    }

    public IReadOnlyList<LinkInfo> Links() => LinkList;
    public LinkInfo? FindLink(string name) => LinkList.FirstOrDefault(l => l.Name == name || l.AltNames.Contains(name));
    public LinkInfo? FindLink(int index) => LinkList.FirstOrDefault(l => l.Index == index);

    public IReadOnlyList<AddressInfo> Addresses(AddressFamily family, int? linkIndex = null)
    {
        for (int i = 0; i < AddressList.Count; i++)
        {
            var a = AddressList[i];
            if (a.IsTentative && tentativeReads.TryGetValue(a.Address, out int n))
            {
                if (n <= 1) { AddressList[i] = a with { Flags = DadFails ? (a.Flags | AddressFlags.DadFailed) : (a.Flags & ~AddressFlags.Tentative) }; tentativeReads.Remove(a.Address); }
                else tentativeReads[a.Address] = n - 1;
            }
        }
        return AddressList.Where(a => a.Family == family && (linkIndex is null || a.LinkIndex == linkIndex)).ToList();
    }

    public void AddAddress(AddressRequest r)
    {
        Calls.Add($"add {r.Address}/{r.PrefixLength} dev {r.LinkIndex}" + (r.Broadcast is null ? "" : $" brd {r.Broadcast}") + (r.Label is null ? "" : $" label {r.Label}")
            + (r.Flags != 0 ? $" flags 0x{r.Flags:x}" : "") + (r.PreferredLifetime is { } l ? $" preferred_lft {l}" : ""));
        if (AddressList.Any(a => a.LinkIndex == r.LinkIndex && a.Address.Equals(r.Address))) throw new NetlinkException(NetlinkException.EEXIST, "add");
        bool tentative = r.Address.AddressFamily == AddressFamily.InterNetworkV6 && (r.Flags & AddressFlags.NoDad) == 0;
        if (tentative) tentativeReads[r.Address] = DadReads;
        AddressList.Add(new AddressInfo(r.LinkIndex, r.Address.AddressFamily, r.Address, r.PrefixLength, r.Broadcast, r.Label,
            r.Flags | (tentative ? AddressFlags.Tentative : 0), 0, r.PreferredLifetime ?? uint.MaxValue, uint.MaxValue));
    }

    public void DeleteAddress(int linkIndex, IPAddress address, int prefixLength)
    {
        Calls.Add($"del {address}/{prefixLength} dev {linkIndex}");
        if (AddressList.RemoveAll(a => a.LinkIndex == linkIndex && a.Address.Equals(address)) == 0)
            throw new NetlinkException(NetlinkException.EADDRNOTAVAIL, "del");
    }

    public IReadOnlyList<RouteInfo> Routes(AddressFamily family, int table = RouteTables.Main) =>
        RouteList.Where(r => r.Family == family && r.Table == table).ToList();

    public void SetLinkUp(int linkIndex)
    {
        Calls.Add($"up {linkIndex}");
        int i = LinkList.FindIndex(l => l.Index == linkIndex);
        LinkList[i] = LinkList[i] with { Flags = LinkList[i].Flags | 1 };
    }

    public void AddAddressLabel(IPAddress prefix, int prefixLength, uint label) { Calls.Add($"addrlabel add {prefix}/{prefixLength} {label}"); Labels.Add((prefix, prefixLength, label)); }
    public void DeleteAddressLabel(IPAddress prefix, int prefixLength, uint label) { Calls.Add($"addrlabel del {prefix}/{prefixLength} {label}"); Labels.Remove((prefix, prefixLength, label)); }
    public void FlushRouteCache(AddressFamily family) => Calls.Add($"flush {family}");
}
