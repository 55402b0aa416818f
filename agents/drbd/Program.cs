using HaCluster.Agents.Drbd;
using HaCluster.Ocf;

return AgentHost.Run(new DrbdAgent(), args);
