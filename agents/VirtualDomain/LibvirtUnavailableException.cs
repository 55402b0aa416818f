namespace HaCluster.Agents.VirtualDomain;

/// <summary>libvirtd timed out or could not be reached: a condition the stop and the monitor work around.</summary>
sealed class LibvirtUnavailableException(string message, Exception inner) : Exception(message, inner);
