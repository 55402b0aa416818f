using System.Net;
using HaCluster.Network;

namespace HaCluster.Agents.IPaddr2;

/// <summary>Where an address goes: the link, the prefix length and the IPv4 broadcast.</summary>
public sealed record AddressPlacement(LinkInfo Link, int PrefixLength, IPAddress? Broadcast);
