using HaCluster.Agents.Xen;
using HaCluster.Ocf;

return AgentHost.Run(new XenAgent(), args);
