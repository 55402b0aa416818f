using HaCluster.Agents.Xen;
using HaCluster.Ocf;

// A factory, not one instance: each half of a reload's restart runs on a fresh agent, so the
// stop sees nothing the validation of the new values settled (the domain name, the xmfile read).
return AgentHost.Run(() => new XenAgent(), args);
