using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using HaCluster.Core.Native;

namespace HaCluster.Core.Processes;

/// <summary>
/// The real <see cref="IProcessRunner"/>, on posix_spawn (System.Diagnostics.Process would set up
/// a SIGCHLD handler and terminal handling in every agent, and cannot reset the signals a child
/// starts with). Children stay in the agent's process group, so that Pacemaker's SIGKILL of that
/// group at a timeout ends them too; at our own deadline a child is killed with everything it
/// started (<see cref="ChildProcesses"/> says how, and why).
/// </summary>
public sealed unsafe class ProcessRunner : IProcessRunner
{
    readonly bool failHaveBinary;
    readonly List<(int Pid, string Marker)> detached = [];

    /// <param name="failHaveBinary">ocf-tester's OCF_TESTER_FAIL_HAVE_BINARY=1: every program counts as missing.</param>
    public ProcessRunner(bool failHaveBinary = false) => this.failHaveBinary = failHaveBinary;

    public bool IsInstalled(string path)
    {
        if (failHaveBinary || !Path.IsPathRooted(path)) return false;
        try
        {
            if (!File.Exists(path)) return false;
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return (File.GetUnixFileMode(path) & anyExecute) != 0;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public ProcessResult Run(ProcessSpec spec, Deadline deadline)
    {
        var started = Stopwatch.GetTimestamp();
        if (!IsInstalled(spec.Path))
            return new ProcessResult(ProcessOutcome.NotInstalled, 127, 0, "", "", TimeSpan.Zero);

        int* outPipe = stackalloc int[2];
        int* errPipe = stackalloc int[2];
        if (Libc.pipe2(outPipe, Libc.O_CLOEXEC) != 0) throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        if (Libc.pipe2(errPipe, Libc.O_CLOEXEC) != 0)
        {
            Libc.close(outPipe[0]); Libc.close(outPipe[1]);
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        int pid;
        string marker = ChildProcesses.NewTreeMarker();
        int spawnError = Spawn(spec, stdoutFd: outPipe[1], stderrFd: errPipe[1], marker, out pid);
        Libc.close(outPipe[1]);
        Libc.close(errPipe[1]);
        if (spawnError != 0)
        {
            Libc.close(outPipe[0]); Libc.close(errPipe[0]);
            if (spawnError is Libc.ENOENT or Libc.EACCES or Libc.ENOEXEC)
                return new ProcessResult(ProcessOutcome.NotInstalled, 127, 0, "", $"cannot execute {spec.Path}: errno {spawnError}", TimeSpan.Zero);
            throw new IOException($"posix_spawn {spec.Path} failed: errno {spawnError}");
        }

        var stdout = new Capture(spec.MaxOutputBytes);
        var stderr = new Capture(spec.MaxOutputBytes);
        int pidfd = Libc.PidfdOpen(pid);
        int status = 0;
        bool exited = false, timedOut = false;
        int outFd = outPipe[0], errFd = errPipe[0];
        try
        {
            Libc.PollFd* fds = stackalloc Libc.PollFd[3];
            while (!exited)
            {
                int remaining = deadline.RemainingMilliseconds;
                if (remaining <= 0) { timedOut = true; break; }
                int n = 0;
                int outIdx = -1, errIdx = -1, pidIdx = -1;
                if (outFd >= 0) { outIdx = n; fds[n++] = new Libc.PollFd { Fd = outFd, Events = Libc.POLLIN }; }
                if (errFd >= 0) { errIdx = n; fds[n++] = new Libc.PollFd { Fd = errFd, Events = Libc.POLLIN }; }
                if (pidfd >= 0) { pidIdx = n; fds[n++] = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN }; }
                // Without a pidfd (kernel < 5.3) the child's exit is noticed by polling waitpid.
                int timeout = pidfd >= 0 ? remaining : Math.Min(remaining, 10);
                int ready = Libc.poll(fds, (nuint)n, timeout);
                if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
                    throw new IOException($"poll failed: errno {Marshal.GetLastPInvokeError()}");
                if (outIdx >= 0 && fds[outIdx].Revents != 0 && !stdout.ReadFrom(outFd)) { Libc.close(outFd); outFd = -1; }
                if (errIdx >= 0 && fds[errIdx].Revents != 0 && !stderr.ReadFrom(errFd)) { Libc.close(errFd); errFd = -1; }
                if (pidfd < 0 || (pidIdx >= 0 && fds[pidIdx].Revents != 0) || (outFd < 0 && errFd < 0))
                    exited = TryReap(pid, out status, block: pidfd >= 0 && pidIdx >= 0 && fds[pidIdx].Revents != 0);
            }

            if (timedOut)
            {
                ChildProcesses.KillTree(pid, marker); // the tool and whatever it forked
                ReapWithin(pid, pidfd, TimeSpan.FromMilliseconds(500), out status);
            }
            else
            {
                // The child has exited: take what is already in the pipes, but do not wait for a
                // grandchild that keeps them open (Pacemaker completes at exit, not at EOF, too).
                if (outFd >= 0) stdout.Drain(outFd);
                if (errFd >= 0) stderr.Drain(errFd);
            }
        }
        finally
        {
            if (outFd >= 0) Libc.close(outFd);
            if (errFd >= 0) Libc.close(errFd);
            if (pidfd >= 0) Libc.close(pidfd);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (timedOut)
            return new ProcessResult(ProcessOutcome.TimedOut, -1, Libc.SIGKILL, stdout.Text, stderr.Text, elapsed);
        int termSig = status & 0x7f;
        return termSig == 0
            ? new ProcessResult(ProcessOutcome.Exited, (status >> 8) & 0xff, 0, stdout.Text, stderr.Text, elapsed)
            : new ProcessResult(ProcessOutcome.Signaled, -1, termSig, stdout.Text, stderr.Text, elapsed);
    }

    /// <summary>
    /// Starts a program meant to outlive a successful action. It stays in the agent's process
    /// group (stdin, stdout and stderr on /dev/null): if Pacemaker kills the action, it dies with
    /// it; once the action has returned and the agent exited, the group is left behind and
    /// nothing kills it. A failed action ends it (<see cref="KillDetached"/>, called by the OCF
    /// host), as does a termination signal.
    /// </summary>
    public int StartDetached(ProcessSpec spec)
    {
        if (!IsInstalled(spec.Path)) throw new ProgramNotInstalledException(spec.Path);
        string marker = ChildProcesses.NewTreeMarker();
        int error = Spawn(spec, stdoutFd: -1, stderrFd: -1, marker, out int pid);
        if (error != 0) throw new IOException($"posix_spawn {spec.Path} failed: errno {error}");
        lock (detached) detached.Add((pid, marker));
        return pid;
    }

    public void KillDetached()
    {
        (int Pid, string Marker)[] started;
        lock (detached)
        {
            started = [.. detached];
            detached.Clear();
        }
        foreach (var (pid, marker) in started)
        {
            ChildProcesses.KillTree(pid, marker);
            ReapWithin(pid, -1, TimeSpan.FromMilliseconds(200), out _);
        }
    }

    static bool TryReap(int pid, out int status, bool block)
    {
        int s = 0;
        while (true)
        {
            int r = Libc.waitpid(pid, &s, block ? 0 : Libc.WNOHANG);
            if (r == pid) { status = s; return true; }
            if (r == 0) { status = 0; return false; }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR) continue;
            // ECHILD: someone else reaped it and its status is lost. Report a failure (exit 255)
            // rather than a success nobody observed.
            status = 255 << 8;
            return true;
        }
    }

    static void ReapWithin(int pid, int pidfd, TimeSpan limit, out int status)
    {
        // A child stuck in uninterruptible sleep (hung NFS) does not die at once: never wait
        // past a short limit for it, the action's own deadline matters more.
        var until = Deadline.After(limit);
        status = 0;
        while (true)
        {
            if (TryReap(pid, out status, block: false)) return;
            if (until.IsExpired) return;
            if (pidfd >= 0)
            {
                var fd = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
                Libc.poll(&fd, 1, until.RemainingMilliseconds);
            }
            else until.Sleep(TimeSpan.FromMilliseconds(5));
        }
    }

    static int Spawn(ProcessSpec spec, int stdoutFd, int stderrFd, string treeMarker, out int pid)
    {
        ChildProcesses.Prepare();
        var allocations = new List<nint>();
        byte* fileActions = stackalloc byte[Libc.FileActionsSize];
        byte* attr = stackalloc byte[Libc.SpawnAttrSize];
        byte* sigDefault = stackalloc byte[Libc.SigSetSize];
        byte* sigMask = stackalloc byte[Libc.SigSetSize];
        Libc.posix_spawn_file_actions_init(fileActions);
        Libc.posix_spawnattr_init(attr);
        try
        {
            Libc.posix_spawn_file_actions_addopen(fileActions, 0, "/dev/null", Libc.O_RDONLY, 0);
            if (stdoutFd >= 0) Libc.posix_spawn_file_actions_adddup2(fileActions, stdoutFd, 1);
            else Libc.posix_spawn_file_actions_addopen(fileActions, 1, "/dev/null", Libc.O_WRONLY, 0);
            if (stderrFd >= 0) Libc.posix_spawn_file_actions_adddup2(fileActions, stderrFd, 2);
            else Libc.posix_spawn_file_actions_addopen(fileActions, 2, "/dev/null", Libc.O_WRONLY, 0);
            // Only 0, 1 and 2: descriptors the agent inherited without close-on-exec (a caller's
            // pipe, as ocf-tester's or a test harness's) must not be held by a tool or, worse, by a
            // detached child that outlives the agent and keeps its caller waiting for EOF.
            Libc.posix_spawn_file_actions_addclosefrom_np(fileActions, 3);

            // The .NET runtime ignores SIGPIPE and may block signals; children get the defaults
            // back, as if started by a shell.
            Libc.sigfillset(sigDefault);
            Libc.sigemptyset(sigMask);
            Libc.posix_spawnattr_setsigdefault(attr, sigDefault);
            Libc.posix_spawnattr_setsigmask(attr, sigMask);
            // No POSIX_SPAWN_SETPGROUP or SETSID: the child stays in the agent's process group.
            Libc.posix_spawnattr_setflags(attr, (short)(Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK));

            byte* path = Utf8(spec.Path, allocations);
            var argv = new string[spec.Arguments.Count + 1];
            argv[0] = spec.Path;
            for (int i = 0; i < spec.Arguments.Count; i++) argv[i + 1] = spec.Arguments[i];
            byte** argvPtr = Array(argv, allocations);
            byte** envPtr = Array(BuildEnvironment(spec.Environment, treeMarker), allocations);

            int p;
            int rc = Libc.posix_spawn(&p, path, fileActions, attr, argvPtr, envPtr);
            pid = rc == 0 ? p : -1;
            return rc;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(fileActions);
            Libc.posix_spawnattr_destroy(attr);
            foreach (var a in allocations) NativeMemory.Free((void*)a);
        }
    }

    internal static string[] BuildEnvironment(IReadOnlyDictionary<string, string?>? overrides, string? treeMarker = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        // Tools' output is parsed: always the C locale (Pacemaker forces it too).
        env["LC_ALL"] = "C";
        if (overrides is not null)
            foreach (var (k, v) in overrides)
            {
                if (v is null) env.Remove(k);
                else env[k] = v;
            }
        if (treeMarker is not null) env[ChildProcesses.TreeVariable] = treeMarker;
        var list = new string[env.Count];
        int i = 0;
        foreach (var (k, v) in env) list[i++] = k + "=" + v;
        return list;
    }

    static byte* Utf8(string s, List<nint> allocations)
    {
        if (s.Contains('\0')) throw new ArgumentException("a program argument contains a NUL character");
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        allocations.Add((nint)p);
        fixed (char* c = s) Encoding.UTF8.GetBytes(c, s.Length, p, n);
        p[n] = 0;
        return p;
    }

    static byte** Array(string[] items, List<nint> allocations)
    {
        byte** a = (byte**)NativeMemory.Alloc((nuint)(items.Length + 1), (nuint)sizeof(byte*));
        allocations.Add((nint)a);
        for (int i = 0; i < items.Length; i++) a[i] = Utf8(items[i], allocations);
        a[items.Length] = null;
        return a;
    }

    /// <summary>One output stream, kept up to a limit.</summary>
    sealed class Capture(int limit)
    {
        readonly MemoryStream kept = new();
        readonly byte[] buffer = new byte[16384];

        public string Text => Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);

        /// <summary>Reads what is there; false at end of file.</summary>
        public bool ReadFrom(int fd)
        {
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    nint n = Libc.read(fd, b, buffer.Length);
                    if (n > 0)
                    {
                        int keep = (int)Math.Min(n, Math.Max(0, limit - kept.Length));
                        if (keep > 0) kept.Write(buffer, 0, keep);
                        return true;
                    }
                    if (n == 0) return false;
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    return false;
                }
            }
        }

        /// <summary>Reads what is already buffered in the pipe without waiting for more.</summary>
        public void Drain(int fd)
        {
            var p = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            for (int i = 0; i < 64; i++)
            {
                p.Revents = 0;
                if (Libc.poll(&p, 1, 0) <= 0 || (p.Revents & Libc.POLLIN) == 0) return;
                if (!ReadFrom(fd)) return;
            }
        }
    }
}
