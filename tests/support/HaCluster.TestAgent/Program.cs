using HaCluster.Ocf;
using HaCluster.TestAgent;

return AgentHost.Run(new ScriptAgent(), args);
