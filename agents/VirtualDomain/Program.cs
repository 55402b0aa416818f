using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;

// A factory, not an instance: the host makes a fresh agent for each half of a restart inside
// reload, so the stop with the old values shares no connection or parsed configuration with the
// validation of the new ones.
return AgentHost.Run(() => new VirtualDomainAgent(), args);
