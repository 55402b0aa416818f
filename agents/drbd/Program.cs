using HaCluster.Agents.Drbd;
using HaCluster.Ocf;

// A factory, not an instance: the host makes a fresh agent for each half of a restart inside reload.
return AgentHost.Run(() => new DrbdAgent(), args);
