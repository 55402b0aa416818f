using HaCluster.Ocf.Logging;

namespace HaCluster.Testing;

/// <summary>Log sinks that remember what was written.</summary>
public sealed class RecordingSinks : IOcfLogSinks
{
    public List<string> Stderr { get; } = [];
    public List<string> Syslog { get; } = [];
    public Dictionary<string, List<string>> Files { get; } = [];

    void IOcfLogSinks.Stderr(string text) => Stderr.Add(text);
    void IOcfLogSinks.Syslog(int facility, SyslogSeverity severity, string tag, string message) => Syslog.Add($"{facility}/{severity} {tag}: {message}");
    void IOcfLogSinks.AppendFile(string path, string text)
    {
        if (!Files.TryGetValue(path, out var l)) Files[path] = l = [];
        l.Add(text);
    }
}
