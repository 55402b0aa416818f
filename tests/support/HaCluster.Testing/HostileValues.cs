using HaCluster.Core;
using HaCluster.Core.Processes;

namespace HaCluster.Testing;

/// <summary>
/// The values of issue 13's table, no start could have accepted most of them: each kind by name
/// (for test names), made concrete in a directory of the test (the FIFO, the directory, the
/// link to a file outside HA_RSCTMP). Non-UTF-8 bytes in the environment reach a .NET agent as
/// U+FFFD, so that is what the in-process runs pass. Which kinds an agent must refuse, or may
/// not even start with, differs per agent: each test project says so itself.
/// </summary>
public sealed class HostileValues
{
    public static readonly string[] Kinds =
        ["empty", "newline", "control", "100KiB", "substitution", "semicolon", "leading-dash", "non-utf8", "fifo", "directory", "symlink"];

    /// <summary>OCF_RESKEY_CRM_meta_timeout values no operation can have: overflowing, negative, zero, no number.</summary>
    public static readonly string[] TimeoutValues = ["9223372036854775807", "99999999999999", "-1", "0", "soon"];

    /// <summary><see cref="TimeoutValues"/> as theory data, one timeout a test.</summary>
    public static IEnumerable<object[]> Timeouts => TimeoutValues.Select(t => new object[] { t });

    readonly TempDir dir;

    /// <param name="dir">Where the FIFO, the directory and the link are made.</param>
    /// <param name="outside">A directory that is not HA_RSCTMP, for the link's target.</param>
    public HostileValues(TempDir dir, TempDir outside)
    {
        this.dir = dir;
        Marker = dir["pwned"];
        Target = outside["target"];
        File.WriteAllText(Target, "not the agent's\n");
    }

    /// <summary>A file that a command smuggled into a value would create.</summary>
    public string Marker { get; }

    /// <summary>The file outside HA_RSCTMP the link points to; nothing may change it.</summary>
    public string Target { get; }

    public string Of(string kind) => kind switch
    {
        "empty" => "",
        "newline" => "r0\nr1",
        "control" => "r0\u0007",
        "100KiB" => new string('a', 100 * 1024),
        "substitution" => $"$(touch {Marker})",
        "semicolon" => $"r0;touch {Marker}",
        "leading-dash" => "-r0",
        "non-utf8" => "r0\uFFFD",
        "fifo" => Fifo(),
        "directory" => Directory.CreateDirectory(dir["a-directory"]).FullName,
        "symlink" => Link(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    string Fifo()
    {
        string path = dir["a-fifo"];
        if (!File.Exists(path))
        {
            // No assertion library here: a failure to set up is an exception, which fails the test all the same.
            var made = new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", path), Deadline.After(TimeSpan.FromSeconds(10)));
            if (!made.Succeeded) throw new InvalidOperationException($"mkfifo {path} {made.Describe()}");
        }
        return path;
    }

    string Link()
    {
        string path = dir["a-link"];
        if (!File.Exists(path)) File.CreateSymbolicLink(path, Target);
        return path;
    }
}
