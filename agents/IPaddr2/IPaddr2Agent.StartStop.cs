using System.Net;
using System.Net.Sockets;
using HaCluster.Network;
using HaCluster.Ocf;

namespace HaCluster.Agents.IPaddr2;

// start and stop: the address is added to or removed from its interface; both succeed when it
// already is where they would take it.
public sealed partial class IPaddr2Agent
{
    public override OcfExitCode Start()
    {
        var placement = Place();
        var link = placement.Link;
        if (IsV4 && placement.PrefixLength <= 30 &&
            (Address.Equals(IpAddressText.HostBits(Address, placement.PrefixLength, set: false)) || Address.Equals(IpAddressText.HostBits(Address, placement.PrefixLength, set: true))))
            throw OcfError.Configured($"parameter 'ip' {Address} is the network or broadcast address of its /{placement.PrefixLength} subnet");
        var present = Find(link);
        if (present is not null) return OcfExitCode.Success;

        var elsewhere = Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(Address));
        if (elsewhere is not null)
        {
            var other = Stack.FindLink(elsewhere.LinkIndex);
            if (elsewhere.LinkIndex == link.Index)
                throw OcfError.Generic($"{Address} is already on {link.Name} with prefix /{elsewhere.PrefixLength}, not /{placement.PrefixLength}");
            if (Config.LvsSupport && other is { IsLoopback: true })
                Stack.DeleteAddress(elsewhere.LinkIndex, Address, elsewhere.PrefixLength);
            else
                throw OcfError.Generic($"{Address} is already on interface {other?.Name ?? "#" + elsewhere.LinkIndex}, not on {link.Name}");
        }

        if (Config.RunArping)
        {
            var announcer = openAnnouncer();
            var owner = InNamespace(() => announcer.ProbeIPv4(link, Address, Deadline.Within(TimeSpan.FromSeconds(1)).Remaining));
            if (owner is not null)
                throw OcfError.Generic($"{Address} is already in use on the network by {string.Join(':', owner.GetAddressBytes().Select(b => b.ToString("x2")))}");
        }

        // The interface is known only now when nic was not given: the kernel's label limit is
        // checked here for that case, before anything is added.
        if (Config.Label is { } label && link.Name.Length + 1 + label.Length > MaximumLabelLength)
            throw OcfError.Configured($"the address label {link.Name}:{label} is longer than the kernel's {MaximumLabelLength} characters");

        try
        {
            Stack.AddAddress(new AddressRequest(link.Index, Address, placement.PrefixLength)
            {
                Broadcast = placement.Broadcast,
                Label = Config.Label is { } l ? $"{link.Name}:{l}" : null,
                Flags = (Config.NoDad ? AddressFlags.NoDad : 0) | (Config.NoPrefixRoute ? AddressFlags.NoPrefixRoute : 0),
                PreferredLifetime = Config.PreferredLifetime,
            });
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
        catch (NetlinkException e)
        {
            throw OcfError.Generic($"cannot add {Address}/{placement.PrefixLength} to {link.Name}: {e.Message}");
        }
        LogAdded(Log, Address, placement.PrefixLength, link.Name);
        if (!link.IsUp) Stack.SetLinkUp(link.Index);

        if (!IsV4) WaitForDuplicateAddressDetection(link, placement.PrefixLength);
        if (Config.AddressLabel is { } addressLabel)
        {
            try { Stack.AddAddressLabel(Address, 128, addressLabel); }
            catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
        }

        Announce(Stack.FindLink(link.Index) ?? link, Config.ArpCount, Config.AnnounceInBackground);
        return OcfExitCode.Success;
    }

    /// <summary>The address first, then the background sender: its pid file is only a record, and a stop never fails on it.</summary>
    public override OcfExitCode Stop()
    {
        var link = Config.Nic is null ? null : Stack.FindLink(Config.Nic);
        var present = link is null ? Stack.Addresses(Family).FirstOrDefault(a => a.Address.Equals(Address) && !IsLvsLoopbackCopy(a)) : Find(link);
        if (present is not null)
        {
            try { Stack.DeleteAddress(present.LinkIndex, Address, present.PrefixLength); }
            catch (NetlinkException e) when (e.Errno is NetlinkException.EADDRNOTAVAIL or NetlinkException.ENOENT or NetlinkException.ENODEV) { }
            catch (NetlinkException e) { throw OcfError.Generic($"cannot remove {Address}: {e.Message}"); }
            LogRemoved(Log, Address);
        }
        EndBackgroundAnnouncers();
        if (Config.FlushRoutes) Stack.FlushRouteCache(Family);
        if (Config.AddressLabel is { } addressLabel)
        {
            try { Stack.DeleteAddressLabel(Address, 128, addressLabel); }
            catch (NetlinkException) { }
        }
        if (IsV4 && Config.LvsSupport) RestoreOnLoopback();
        return OcfExitCode.Success;
    }

    /// <summary>
    /// The stop rule: values no start accepted. An address that does not parse, or that no start
    /// would add (multicast, broadcast, unspecified, IPv4-mapped), cannot be up under these
    /// values: 0 with a warning. A usable address is this resource's (ip is unique), whatever
    /// else is wrong, so it is removed wherever it is, in the given network namespace when that
    /// names one that exists, and its background sender is ended.
    /// </summary>
    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException validationFailure)
    {
        if (TrustedConfiguration() is not { } trusted) return base.StopDespiteInvalidConfiguration(validationFailure);
        LogStopDespiteInvalidValues(Log, validationFailure.Reason, trusted.Address);
        config = trusted;
        return Stop();
    }

    /// <summary>What a stop can still trust of values that failed validation; null when no start could have added an address under them.</summary>
    IPaddr2Configuration? TrustedConfiguration()
    {
        IPAddress? address = IpAddressText.Parse(ip.RawValue ?? "");
        if (address is null || IpAddressText.NotAHostAddress(address) is not null) return null;
        if (OcfBoolean.TryParse(uniqueCloneAddress.RawValue ?? "", out bool unique) && unique && Meta.CloneNumber is int n && n > 0)
            address = address.AddressFamily == AddressFamily.InterNetwork ? IpAddressText.AddToLastOctet(address, n) : null;
        if (address is null) return null;
        string ns = networkNamespace.RawValue ?? "";
        if (ns.Length > 0 && !(NetworkNamespace.IsValidName(ns) && File.Exists($"{NetworkNamespace.Directory}/{ns}"))) return null;
        bool lvs = OcfBoolean.TryParse(lvsSupport.RawValue ?? "", out bool l) && l;
        return new IPaddr2Configuration
        {
            Address = address,
            Nic = null,
            Label = null,
            PrefixLength = null,
            Broadcast = "",
            LvsSupport = lvs,
            AddressLabel = null,
            ArpCount = 0,
            ArpCountRefresh = 0,
            ArpInterval = TimeSpan.Zero,
            AnnounceInBackground = false,
            ArpReplies = false,
            FlushRoutes = false,
            RunArping = false,
            NoDad = false,
            NoPrefixRoute = false,
            PreferredLifetime = null,
            NetworkNamespace = ns,
            CheckLinkStatus = false,
        };
    }

    void WaitForDuplicateAddressDetection(LinkInfo link, int prefixLength)
    {
        if (Config.NoDad) return;
        // DAD takes about a second (1 probe, RetransTimer 1 s); never spend more than 10 s or
        // what the deadline leaves after a second for the announcements.
        var reserve = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Deadline.Remaining.Ticks / 4));
        var wait = Deadline.Reserve(reserve).Within(TimeSpan.FromSeconds(10));
        AddressInfo? state = null;
        // A failed address keeps its tentative flag ("tentative dadfailed"): stop at either.
        wait.WaitUntil(() => (state = Find(link)) is null or { IsTentative: false } or { IsDadFailed: true }, TimeSpan.FromMilliseconds(100));
        if (state is { IsDadFailed: true })
        {
            try { Stack.DeleteAddress(link.Index, Address, prefixLength); } catch (NetlinkException) { }
            throw OcfError.Generic($"{Address} is already in use on the network: duplicate address detection failed on {link.Name}");
        }
        if (state is { IsTentative: true })
        {
            try { Stack.DeleteAddress(link.Index, Address, prefixLength); } catch (NetlinkException) { }
            throw OcfError.Generic($"duplicate address detection of {Address} on {link.Name} did not finish in time");
        }
    }

    /// <summary>lvs_support: the stopped address stays on loopback as a /32, so this node keeps serving it.</summary>
    void RestoreOnLoopback()
    {
        var lo = Stack.Links().FirstOrDefault(l => l.IsLoopback);
        if (lo is null) return;
        try { Stack.AddAddress(new AddressRequest(lo.Index, Address, 32)); }
        catch (NetlinkException e) when (e.Errno == NetlinkException.EEXIST) { }
    }
}
