using HaCluster.Agents.VirtualDomain;
using HaCluster.Ocf;

return AgentHost.Run(new VirtualDomainAgent(), args);
