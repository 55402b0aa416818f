using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using HaCluster.Core.Processes;

namespace HaCluster.Testing;

/// <summary>
/// Starts a program with an argument vector and an environment given as raw bytes, the way
/// pacemaker-execd does (posix_spawn, a session and process group of its own, stdin /dev/null,
/// cwd / unless told otherwise, no signal ignored or blocked), and collects what it writes until it exits or a limit
/// passes. Raw bytes because an environment value need not be UTF-8: a .NET string cannot carry
/// the byte 0xFF, so neither ProcessRunner nor System.Diagnostics.Process can pass one on.
/// </summary>
public static unsafe partial class RawSpawn
{
    /// <summary>
    /// Runs <paramref name="argv"/> (argv[0] is the path) with exactly <paramref name="envp"/>
    /// ("NAME=value" byte strings). At <paramref name="limit"/> the whole process group is
    /// SIGKILLed and the outcome is <see cref="ProcessOutcome.TimedOut"/>.
    /// </summary>
    public static AgentRun Run(IReadOnlyList<byte[]> argv, IReadOnlyList<byte[]> envp, TimeSpan limit, string workingDirectory = "/")
    {
        var started = Stopwatch.GetTimestamp();
        int* outPipe = stackalloc int[2];
        int* errPipe = stackalloc int[2];
        if (pipe2(outPipe, O_CLOEXEC) != 0) throw new IOException("pipe2 failed");
        if (pipe2(errPipe, O_CLOEXEC) != 0) { close(outPipe[0]); close(outPipe[1]); throw new IOException("pipe2 failed"); }
        int pid = Spawn(argv, envp, workingDirectory, outPipe[1], errPipe[1], out int error);
        close(outPipe[1]);
        close(errPipe[1]);
        if (pid <= 0)
        {
            close(outPipe[0]); close(errPipe[0]);
            throw new IOException($"posix_spawn {Encoding.UTF8.GetString(argv[0])} failed: errno {error}");
        }

        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        int outFd = outPipe[0], errFd = errPipe[0], status = 0;
        bool exited = false, timedOut = false;
        try
        {
            PollFd* fds = stackalloc PollFd[2];
            while (!exited)
            {
                var left = limit - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero) { timedOut = true; break; }
                int n = 0, outIdx = -1, errIdx = -1;
                if (outFd >= 0) { outIdx = n; fds[n++] = new PollFd { Fd = outFd, Events = POLLIN }; }
                if (errFd >= 0) { errIdx = n; fds[n++] = new PollFd { Fd = errFd, Events = POLLIN }; }
                // The exit is noticed by waitpid between short polls: a grandchild may hold the
                // pipes open long after the program itself ended.
                poll(fds, (nuint)n, (int)Math.Clamp(left.TotalMilliseconds, 1, 10));
                if (outIdx >= 0 && fds[outIdx].Revents != 0 && !ReadSome(outFd, stdout)) { close(outFd); outFd = -1; }
                if (errIdx >= 0 && fds[errIdx].Revents != 0 && !ReadSome(errFd, stderr)) { close(errFd); errFd = -1; }
                int s = 0;
                if (waitpid(pid, &s, WNOHANG) == pid) { status = s; exited = true; }
            }
            if (timedOut)
            {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                int s = 0;
                waitpid(pid, &s, 0);
            }
            // What is already in the pipes, without waiting for a grandchild that keeps them open.
            if (outFd >= 0) Drain(outFd, stdout);
            if (errFd >= 0) Drain(errFd, stderr);
        }
        finally
        {
            if (outFd >= 0) close(outFd);
            if (errFd >= 0) close(errFd);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        string Text(MemoryStream m) => Encoding.UTF8.GetString(m.GetBuffer(), 0, (int)m.Length);
        if (timedOut) return new AgentRun(ProcessOutcome.TimedOut, -1, SIGKILL, Text(stdout), Text(stderr), elapsed) { Pid = pid };
        int signal = status & 0x7f;
        return signal == 0
            ? new AgentRun(ProcessOutcome.Exited, (status >> 8) & 0xff, 0, Text(stdout), Text(stderr), elapsed) { Pid = pid }
            : new AgentRun(ProcessOutcome.Signaled, -1, signal, Text(stdout), Text(stderr), elapsed) { Pid = pid };
    }

    /// <summary>"NAME=value" as bytes: the value as given.</summary>
    public static byte[] Variable(string name, byte[] value) => [.. Encoding.UTF8.GetBytes(name + "="), .. value];

    /// <summary>"NAME=value" as bytes: the value in UTF-8.</summary>
    public static byte[] Variable(string name, string value) => Encoding.UTF8.GetBytes(name + "=" + value);

    static int Spawn(IReadOnlyList<byte[]> argv, IReadOnlyList<byte[]> envp, string workingDirectory, int stdoutFd, int stderrFd, out int error)
    {
        var allocations = new List<nint>();
        byte* actions = stackalloc byte[512];
        byte* attr = stackalloc byte[1024];
        byte* all = stackalloc byte[128];
        byte* none = stackalloc byte[128];
        posix_spawn_file_actions_init(actions);
        posix_spawnattr_init(attr);
        try
        {
            posix_spawn_file_actions_addopen(actions, 0, "/dev/null", 0, 0);
            posix_spawn_file_actions_adddup2(actions, stdoutFd, 1);
            posix_spawn_file_actions_adddup2(actions, stderrFd, 2);
            posix_spawn_file_actions_addchdir_np(actions, workingDirectory);
            // The test host ignores SIGPIPE and may block signals; an ignored signal stays
            // ignored across exec, so every signal goes back to its default.
            sigfillset(all);
            sigemptyset(none);
            posix_spawnattr_setsigdefault(attr, all);
            posix_spawnattr_setsigmask(attr, none);
            posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
            byte** a = Vector(argv, allocations);
            byte** e = Vector(envp, allocations);
            int pid;
            error = posix_spawn(&pid, a[0], actions, attr, a, e);
            return error == 0 ? pid : -1;
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            foreach (var p in allocations) NativeMemory.Free((void*)p);
        }
    }

    static byte** Vector(IReadOnlyList<byte[]> items, List<nint> allocations)
    {
        byte** v = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        allocations.Add((nint)v);
        for (int i = 0; i < items.Count; i++)
        {
            if (Array.IndexOf(items[i], (byte)0) >= 0) throw new ArgumentException("an argument or variable holds a NUL byte");
            byte* s = (byte*)NativeMemory.Alloc((nuint)items[i].Length + 1);
            allocations.Add((nint)s);
            items[i].AsSpan().CopyTo(new Span<byte>(s, items[i].Length));
            s[items[i].Length] = 0;
            v[i] = s;
        }
        v[items.Count] = null;
        return v;
    }

    static bool ReadSome(int fd, MemoryStream into)
    {
        byte* buffer = stackalloc byte[16384];
        nint n = read(fd, buffer, 16384);
        if (n <= 0) return false;
        // Keep at most 4 MiB, like the product's runner; read the rest and drop it.
        if (into.Length < (4 << 20)) into.Write(new ReadOnlySpan<byte>(buffer, (int)n));
        return true;
    }

    static void Drain(int fd, MemoryStream into)
    {
        var p = new PollFd { Fd = fd, Events = POLLIN };
        for (int i = 0; i < 256; i++)
        {
            p.Revents = 0;
            if (poll(&p, 1, 0) <= 0 || (p.Revents & POLLIN) == 0 || !ReadSome(fd, into)) return;
        }
    }

    const int O_CLOEXEC = 0x80000, WNOHANG = 1, SIGKILL = 9;
    const short POLLIN = 1;
    // glibc: POSIX_SPAWN_SETSIGDEF 0x04, SETSIGMASK 0x08, SETSID 0x80.
    const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    const string Libc = "libc";
    [LibraryImport(Libc, SetLastError = true)] private static partial int pipe2(int* fds, int flags);
    [LibraryImport(Libc)] private static partial int close(int fd);
    [LibraryImport(Libc, SetLastError = true)] private static partial nint read(int fd, byte* buffer, nint count);
    [LibraryImport(Libc, SetLastError = true)] private static partial int poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport(Libc, SetLastError = true)] private static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(Libc, SetLastError = true)] private static partial int kill(int pid, int signal);
    [LibraryImport(Libc)] private static partial int posix_spawn(int* pid, byte* path, void* actions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_init(void* actions);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_destroy(void* actions);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);
    [LibraryImport(Libc, StringMarshalling = StringMarshalling.Utf8)] private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, int mode);
    [LibraryImport(Libc, StringMarshalling = StringMarshalling.Utf8)] private static partial int posix_spawn_file_actions_addchdir_np(void* actions, string path);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigdefault(void* attr, void* set);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigmask(void* attr, void* set);
    [LibraryImport(Libc)] private static partial int sigfillset(void* set);
    [LibraryImport(Libc)] private static partial int sigemptyset(void* set);
}
