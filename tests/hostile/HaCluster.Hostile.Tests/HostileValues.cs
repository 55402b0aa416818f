using System.Text;

namespace HaCluster.Hostile.Tests;

/// <summary>A value for one environment variable: text, or bytes that are no text at all.</summary>
public sealed record EnvValue(string? Text, byte[]? Bytes)
{
    public static implicit operator EnvValue(string text) => new(text, null);
    public static EnvValue Raw(params byte[] bytes) => new(null, bytes);
    public byte[] ToBytes() => Bytes ?? Encoding.UTF8.GetBytes(Text!);
}

/// <summary>One class of hostile value, made for one run (paths point into that run's directory).</summary>
public sealed record HostileValue(string Name, Func<RunDirectory, EnvValue> Make);

/// <summary>The values of issue 13's acceptance table, each set in turn as every parameter.</summary>
public static class HostileValues
{
    public static readonly IReadOnlyList<HostileValue> All =
    [
        new("empty", _ => ""),
        new("newline", _ => "\n"),
        new("control-char", _ => "a\u0001b"),
        new("100KiB", _ => new string('a', 100 * 1024)),
        // Would leave a file in the canary directory if any shell ever saw it.
        new("$(touch)", d => $"$(touch {d.Canary}/by-command-substitution)"),
        new(";", d => $";touch {d.Canary}/by-semicolon;"),
        new("leading-dash", _ => "-x"),
        new("non-UTF-8", _ => EnvValue.Raw(0xff, 0xfe, (byte)'a', 0xc3)),
        new("fifo", d => d.Fifo),
        new("directory", d => d.EmptyDirectory),
        new("symlink-out", d => d.LinkOutside),
        new("read-only-fs", d => d.OnReadOnlyFs),
        new("full-fs", d => d.OnFullFs),
    ];

    /// <summary>OCF_RESKEY_CRM_meta_timeout values no operation can have.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Timeouts =
    [
        ("0", "0"),
        ("negative", "-1"),
        ("huge", "9223372036854775807"),
        ("non-numeric", "soon"),
    ];
}
