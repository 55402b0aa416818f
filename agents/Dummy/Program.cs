using HaCluster.Agents.Dummy;
using HaCluster.Ocf;

return AgentHost.Run(new DummyAgent(), args);
