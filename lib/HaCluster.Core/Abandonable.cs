using System.Runtime.ExceptionServices;

namespace HaCluster.Core;

/// <summary>
/// Runs a call that may block in the kernel beyond any timeout of its own (open or read on a
/// network file system whose server is gone) where the caller can give up on it: on a thread of
/// its own, waited for until the deadline. A call that has not returned by then is abandoned:
/// its thread stays blocked, holds nothing the action needs, and ends with the process (a
/// background thread keeps no process alive; NFS waits are killable, so exit is not held up).
/// </summary>
public static class Abandonable
{
    /// <summary>
    /// Runs <paramref name="work"/> on a new background thread; true with its result when it
    /// returned before the deadline, false when it was abandoned. An exception of the work is
    /// rethrown here, with its original stack trace.
    /// </summary>
    public static bool TryRun<T>(Func<T> work, Deadline deadline, out T result)
    {
        var call = new Call<T>(work);
        // A small stack: the work is one system call or a short parse, never deep recursion.
        var thread = new Thread(call.Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "abandonable call" };
        thread.Start();
        if (!deadline.Wait(call.Done))
        {
            // Not disposed: the thread still holds it and sets it when (if ever) the call returns.
            result = default!;
            return false;
        }
        call.Done.Dispose();
        if (call.Error is { } error) ExceptionDispatchInfo.Throw(error);
        result = call.Result;
        return true;
    }

    sealed class Call<T>(Func<T> work)
    {
        public readonly ManualResetEvent Done = new(false);
        public T Result = default!;
        public Exception? Error;

        public void Run()
        {
            try { Result = work(); }
            catch (Exception e) { Error = e; }
            finally { Done.Set(); }
        }
    }
}
