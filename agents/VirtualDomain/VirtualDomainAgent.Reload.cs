using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// reload: the host restarts the resource for a change it cannot apply (hypervisor, config,
// backingfile…); what is left to the agent needs no work.
public sealed partial class VirtualDomainAgent
{
    /// <summary>The reloadable parameters are read by every action: nothing to apply to the running domain.</summary>
    public override OcfExitCode Reload() => OcfExitCode.Success;
}
