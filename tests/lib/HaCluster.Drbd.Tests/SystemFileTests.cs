using HaCluster.Core;
using HaCluster.Core.Processes;
using HaCluster.Testing;

namespace HaCluster.Drbd.Tests;

/// <summary>
/// The files the binding reads itself (/sys/module/drbd/version, /proc/drbd) are read as every
/// file is: without blocking on a FIFO, only a regular file, bounded; and what is in them is
/// parsed without an exception for numbers no kernel writes.
/// </summary>
public sealed class SystemFileTests : IDisposable
{
    readonly TempDir dir = new();
    readonly ScriptedProcessRunner runner = new();

    public void Dispose() => dir.Dispose();

    DrbdTools Tools() => new(runner, new DrbdToolsOptions { SystemRoot = dir.Path });

    string Sys(string path)
    {
        string full = dir[path.TrimStart('/')];
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    static void MkFifo(string path) =>
        new ProcessRunner().Run(new ProcessSpec("/usr/bin/mkfifo", path), Deadline.After(TimeSpan.FromSeconds(10))).Succeeded.Should().BeTrue();

    [Fact]
    public async Task A_FIFO_at_the_module_version_files_does_not_hang_the_version_read()
    {
        MkFifo(Sys("/sys/module/drbd/version"));
        MkFifo(Sys("/proc/drbd"));

        var read = Task.Run(() => Tools().LoadedModuleVersion());

        (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(read, "a FIFO is opened without blocking and refused");
        (await read).Should().BeNull();
    }

    [Fact]
    public async Task An_endless_proc_drbd_is_not_read_to_its_end()
    {
        File.CreateSymbolicLink(Sys("/proc/drbd"), "/dev/zero");

        var read = Task.Run(() => Tools().LoadedModuleVersion());

        (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(read, "a device is no regular file");
        (await read).Should().BeNull();
    }

    [Fact]
    public void Numbers_no_kernel_writes_in_proc_drbd_are_no_exception()
    {
        File.WriteAllText(Sys("/proc/drbd"), """
            version: 8.4.11 (api:1/proto:86-101)
            99999999999999999999: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
                ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:99999999999999999999999
            	[>....................] sync'ed: 1.2.3.4%
            """);

        Tools().LoadedModuleVersion().Should().Be(new DrbdVersion(8, 4, 11));
    }

    [Fact]
    public void A_large_proc_drbd_is_parsed_in_linear_time()
    {
        var text = new System.Text.StringBuilder("version: 8.4.11 (api:1/proto:86-101)\n");
        for (int i = 0; i < 8000; i++) // about 700 KB, under the 1 MiB bound
            text.Append(i).Append(": cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 oos:0\n");
        File.WriteAllText(Sys("/proc/drbd"), text.ToString());

        var started = System.Diagnostics.Stopwatch.StartNew();
        Tools().LoadedModuleVersion().Should().Be(new DrbdVersion(8, 4, 11));
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }
}
