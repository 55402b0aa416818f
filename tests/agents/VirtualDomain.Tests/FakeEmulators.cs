using HaCluster.Agents.VirtualDomain;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>Emulator processes the test declares; signals are recorded and end them as told.</summary>
public sealed class FakeEmulators : IEmulatorProcesses
{
    public Dictionary<int, string> Running { get; } = [];
    public List<string> Signals { get; } = [];
    public List<string?> EmulatorsAskedFor { get; } = [];
    public bool IgnoresTerm { get; set; }

    public IReadOnlyList<int> Find(string domain, string? emulator)
    {
        EmulatorsAskedFor.Add(emulator);
        return Running.Where(kv => kv.Value == domain).Select(kv => kv.Key).ToList();
    }

    public bool IsStill(int pid, string domain, string? emulator) => Running.TryGetValue(pid, out var d) && d == domain;

    public bool Signal(int pid, int signal)
    {
        Signals.Add($"{signal} {pid}");
        if (!Running.ContainsKey(pid)) return false;
        if (signal == 9 || !IgnoresTerm) Running.Remove(pid);
        return true;
    }
}
