using HaCluster.Core;
using HaCluster.Libvirt;
using HaCluster.Ocf;

namespace HaCluster.Agents.VirtualDomain;

// libvirt access, shared by every action family: one connection per action, every call bounded
// by a slice of the action's deadline, a daemon that does not answer turned into
// LibvirtUnavailableException for the stop and the monitor to work around.
public sealed partial class VirtualDomainAgent
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>What of the deadline libvirt calls may use in a monitor, leaving time for the /proc fallback.</summary>
    Deadline LibvirtSlice()
    {
        var left = Deadline.Remaining;
        var reserve = TimeSpan.FromTicks(Math.Clamp((long)(left.Ticks * 0.2), Math.Min(TimeSpan.TicksPerSecond, left.Ticks / 2), left.Ticks / 2));
        return Deadline.Reserve(reserve);
    }

    ILibvirtConnection Connect(Deadline slice)
    {
        if (connection is { IsBroken: false }) return connection;
        connection?.Dispose();
        connection = null;
        string uri = ConnectUri;
        // A refused connection is retried briefly: libvirtd may be restarting. A monitor has the
        // /proc fallback and a probe may run where libvirtd is not running at all: less for them.
        var retry = slice.Within(TimeSpan.FromSeconds(Action is "monitor" or "status" ? 1 : 3));
        while (true)
        {
            try
            {
                return connection = open(uri, slice);
            }
            catch (LibvirtException e) when (e.IsConnectionFailure)
            {
                if (retry.IsExpired || retry.Remaining < TimeSpan.FromMilliseconds(250))
                    throw new LibvirtUnavailableException($"cannot connect to libvirt at {SafeText.Quote(uri, 200)}: {SafeText.OneLine(e.Message)}", e);
                retry.Sleep(TimeSpan.FromMilliseconds(250));
            }
            catch (TimeoutException e)
            {
                throw new LibvirtUnavailableException($"libvirtd did not answer at {SafeText.Quote(uri, 200)} within the time this {Action} leaves it", e);
            }
            catch (ArgumentException e) when (Action is "stop" or "monitor" or "status")
            {
                // Validation found the URI usable: whatever refuses it now, a stop or monitor
                // falls back as for a daemon that does not answer instead of failing with 6.
                throw new LibvirtUnavailableException($"cannot connect to libvirt at {SafeText.Quote(uri, 200)}: {ExceptionText.Describe(e)}", e);
            }
            catch (ArgumentException e)
            {
                throw OcfError.Configured($"hypervisor URI {SafeText.Quote(uri, 200)} cannot be used: {ExceptionText.Describe(e)}");
            }
        }
    }

    /// <summary>Runs one libvirt call; timeouts and lost connections become <see cref="LibvirtUnavailableException"/>.</summary>
    T Call<T>(Deadline slice, Func<ILibvirtConnection, T> call)
    {
        var c = Connect(slice);
        try
        {
            return call(c);
        }
        catch (TimeoutException e)
        {
            DropConnection();
            throw new LibvirtUnavailableException($"libvirtd did not answer within the time this {Action} leaves it", e);
        }
        catch (LibvirtException e) when (e.IsConnectionFailure)
        {
            DropConnection();
            throw new LibvirtUnavailableException($"the connection to libvirtd failed: {SafeText.OneLine(e.Message)}", e);
        }
    }

    void Call(Deadline slice, Action<ILibvirtConnection> call) => Call(slice, c => { call(c); return true; });

    void DropConnection()
    {
        connection?.Dispose();
        connection = null;
    }

    void CloseConnection()
    {
        if (connection is null) return;
        try { connection.Close(Deadline.Within(TimeSpan.FromMilliseconds(500))); }
        catch (Exception e) when (e is TimeoutException or LibvirtException or IOException or ObjectDisposedException) { }
        connection.Dispose();
        connection = null;
    }

    /// <summary>Lookup and state. VIR_ERR_NO_DOMAIN from either (the race after a power-off) is "no domain".</summary>
    DomainStatus QueryStatus(Deadline slice)
    {
        string name = Config.DomainName;
        return Call(slice, c =>
        {
            DomainRef domain;
            try { domain = c.LookupByName(name, slice); }
            catch (LibvirtException e) when (e.IsNoDomain) { return new DomainStatus(null, DomainState.Shutoff, false); }
            try
            {
                var state = c.GetState(domain, slice);
                if (!Enum.IsDefined(state.State)) LogUnknownState(Log, name, (int)state.State);
                return new DomainStatus(domain, state.State, true);
            }
            catch (LibvirtException e) when (e.IsNoDomain) { return new DomainStatus(null, DomainState.Shutoff, false); }
        });
    }

    /// <summary>Where waiting loops stop polling: the last query still has time to answer and the failure to be reported.</summary>
    Deadline PollEnd => Deadline.Reserve(TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, Deadline.Remaining.Ticks / 10)));

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="until"/> passes (false).</summary>
    static bool PollUntil(Deadline until, Func<bool> condition)
    {
        while (true)
        {
            if (condition()) return true;
            if (until.IsExpired) return false;
            until.Sleep(PollInterval);
        }
    }

    /// <summary>Runs an action that needs libvirt: an unreachable libvirtd is a failure with its reason.</summary>
    OcfExitCode WithLibvirt(Func<OcfExitCode> action)
    {
        try { return action(); }
        catch (LibvirtUnavailableException e) { throw OcfError.Generic(e.Message); }
        finally { CloseConnection(); }
    }

    static string Describe(LibvirtException e) => SafeText.OneLine(e.Message);
}
