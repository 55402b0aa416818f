using HaCluster.Agents.VirtualDomain;
using HaCluster.Testing;

namespace HaCluster.Agents.VirtualDomain.Tests;

/// <summary>
/// The emulator process of a domain, found in /proc without libvirt: by its -name argument
/// (bare or guest=NAME with libvirt's comma escaping), on a /proc tree the test writes.
/// </summary>
public sealed class EmulatorProcessesTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on", "-S" }, "vm1", null, true)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on" }, "vm", null, false)]
    [InlineData(new[] { "/usr/bin/qemu-system-x86_64", "-name", "guest=a,,b,debug-threads=on" }, "a,b", null, true)]
    [InlineData(new[] { "/usr/bin/qemu-kvm", "-name", "vm1", "-m", "64" }, "vm1", "/usr/bin/qemu-kvm", true)]
    [InlineData(new[] { "/usr/lib/libvirt/libvirt_lxc", "-name", "ct1", "--console" }, "ct1", null, true)]
    [InlineData(new[] { "/usr/bin/python3", "-name", "vm1", "x" }, "vm1", null, false)]
    [InlineData(new[] { "/usr/bin/grep", "-name", "guest=vm1" }, "vm1", "/usr/bin/qemu-system-x86_64", false)]
    public void The_emulator_is_found_by_its_name_argument(string[] argv, string domain, string? emulator, bool matches)
        => ProcEmulatorProcesses.Matches(argv, domain, emulator).Should().Be(matches);

    [Fact]
    public void The_proc_scan_finds_an_emulator_in_a_proc_tree()
    {
        Directory.CreateDirectory(dir["proc/123"]);
        Directory.CreateDirectory(dir["proc/456"]);
        Directory.CreateDirectory(dir["proc/self"]);
        File.WriteAllText(dir["proc/123/cmdline"], "/usr/bin/qemu-system-x86_64\0-name\0guest=vm1,debug-threads=on\0-S\0");
        File.WriteAllText(dir["proc/456/cmdline"], "/usr/bin/qemu-system-x86_64\0-name\0guest=vm2,debug-threads=on\0");
        var procs = new ProcEmulatorProcesses(dir["proc"]);
        procs.Find("vm1", null).Should().Equal(123);
        procs.IsStill(456, "vm1", null).Should().BeFalse();
    }
}
