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

    void FakeProcess(int pid, string cmdline, int uid = 0, string exe = "/usr/bin/qemu-system-x86_64")
    {
        string d = dir[$"proc/{pid}"];
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "cmdline"), cmdline);
        File.WriteAllText(Path.Combine(d, "status"), $"Name:\tqemu\nUmask:\t0022\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t0\t0\t0\t0\n");
        File.CreateSymbolicLink(Path.Combine(d, "exe"), exe);
    }

    EmulatorUsers Users(string qemuConf = "", string passwd = "root:x:0:0::/root:/bin/sh\nlibvirt-qemu:x:64055:108::/var/lib/libvirt:/usr/sbin/nologin\n")
    {
        File.WriteAllText(dir["qemu.conf"], qemuConf);
        File.WriteAllText(dir["passwd"], passwd);
        return new EmulatorUsers(dir["qemu.conf"], dir["passwd"]);
    }

    [Fact]
    public void The_proc_scan_finds_an_emulator_in_a_proc_tree()
    {
        Directory.CreateDirectory(dir["proc/self"]);
        FakeProcess(123, "/usr/bin/qemu-system-x86_64\0-name\0guest=vm1,debug-threads=on\0-S\0", uid: 64055);
        FakeProcess(456, "/usr/bin/qemu-system-x86_64\0-name\0guest=vm2,debug-threads=on\0");
        var procs = new ProcEmulatorProcesses(dir["proc"], Users());
        procs.Find("vm1", null).Should().Equal(123);
        procs.IsStill(456, "vm1", null).Should().BeFalse();
    }

    [Fact]
    public void A_process_of_another_user_or_another_executable_is_no_emulator_whatever_its_command_line()
    {
        const string argv = "/usr/bin/qemu-system-x86_64\0-name\0guest=vm1\0";
        FakeProcess(10, argv, uid: 65534);
        FakeProcess(11, argv, uid: 0, exe: "/usr/bin/python3.11");
        FakeProcess(12, argv, uid: 64055, exe: "/usr/bin/qemu-system-x86_64 (deleted)");
        FakeProcess(13, argv, uid: 0, exe: "/usr/bin/qemu-system-aarch64");
        var procs = new ProcEmulatorProcesses(dir["proc"], Users());
        procs.Find("vm1", "/usr/bin/qemu-system-x86_64").Should().BeEquivalentTo([12, 13], "an upgraded emulator and any qemu binary count");
        procs.Find("vm1", null).Should().BeEquivalentTo([12, 13]);
    }

    [Theory]
    [InlineData("", new[] { 0, 64055 })]
    [InlineData("#user = \"root\"\n", new[] { 0, 64055 })]
    [InlineData("user = \"libvirt-qemu\"\n", new[] { 0, 64055 })]
    [InlineData("user = \"+107\"\n", new[] { 0, 107 })]
    [InlineData("user = \"root\"\n", new[] { 0 })]
    [InlineData("user = \"nosuchuser\"\n", new[] { 0 })]
    public void Emulator_users_are_root_and_the_qemu_user_of_qemu_conf_or_the_build_default(string qemuConf, int[] uids)
        => Users(qemuConf).Uids.Should().BeEquivalentTo(uids);

    [Fact]
    public void Without_a_resolvable_qemu_user_only_root_counts()
        => Users(passwd: "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n").Uids.Should().BeEquivalentTo([0]);
}
