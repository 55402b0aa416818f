using HaCluster.Core;
using HaCluster.Core.Files;

namespace HaCluster.Ocf;

/// <summary>
/// One file of state an agent keeps between calls: the library's parameter snapshot and
/// attribute cache, an agent's pid file or domain cache, Dummy's state file. Root writes these
/// in a directory others may be able to write, so every one goes through here:
/// <list type="bullet">
/// <item>written atomically (<see cref="AtomicFile"/>): an unpredictable temporary name opened
/// O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 set through the descriptor, fsync, rename over the
/// target; a failed write leaves the old content or none, never a part;</item>
/// <item>read bounded and without following a link (<see cref="BoundedFile"/>): O_NOFOLLOW and
/// O_NONBLOCK, a regular file or an error, at most <see cref="MaxBytes"/>;</item>
/// <item>removed with unlink, which removes a planted link itself, never what it points to.</item>
/// </list>
/// Every failure is a <see cref="FileException"/> whose message is a sentence of ours.
/// </summary>
public sealed class StateFile
{
    readonly string? rscTmp;

    /// <param name="path">Where the file is.</param>
    /// <param name="rscTmp">HA_RSCTMP: created (root, 1755) before a write when the file is directly in it and it is missing.</param>
    /// <param name="maxBytes">The largest content read back.</param>
    public StateFile(string path, string? rscTmp = null, int maxBytes = 64 * 1024)
    {
        Path = path;
        this.rscTmp = rscTmp;
        MaxBytes = maxBytes;
    }

    /// <summary>The file of this resource instance with <paramref name="suffix"/>: HA_RSCTMP/hacluster-TYPE-INSTANCE.SUFFIX.</summary>
    public static StateFile For(OcfEnvironment env, string suffix, int maxBytes = 64 * 1024) =>
        new(StateFiles.PathFor(env, suffix), env.RscTmp, maxBytes);

    public string Path { get; }

    public int MaxBytes { get; }

    /// <summary>
    /// The content, or null when there is no file. Throws <see cref="FileException"/> when
    /// something else is there (a link, a FIFO, a directory, too much).
    /// </summary>
    public string? Read()
    {
        try
        {
            // HA_RSCTMP is a local tmpfs: no thread is needed to abandon a hung read.
            return BoundedFile.ReadAllText(Path, Deadline.After(TimeSpan.FromSeconds(10)), MaxBytes, followSymlinks: false, mayBlock: false);
        }
        catch (FileException e) when (e.Problem == FileProblem.NotFound)
        {
            return null;
        }
    }

    /// <summary><see cref="Read"/>, with null also for anything that is not a readable file of ours.</summary>
    public string? ReadOrNull()
    {
        try { return Read(); }
        catch (FileException) { return null; }
    }

    /// <summary>Replaces the content atomically (mode 0600 unless <paramref name="options"/> say otherwise).</summary>
    public void Write(string content, AtomicWriteOptions? options = null)
    {
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (rscTmp is not null && directory is not null && directory == System.IO.Path.GetFullPath(rscTmp).TrimEnd('/'))
        {
            try { StateFiles.EnsureDirectory(directory); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FileException(FileProblem.Failed, Path, $"cannot create {SafeText.Quote(directory, 160)}: {ExceptionText.Describe(e)}");
            }
        }
        AtomicFile.WriteText(Path, content, options);
    }

    /// <summary>Removes the file (a link there, not its target); false when there was none. Throws for a directory.</summary>
    public bool Delete() => AtomicFile.Remove(Path);

    /// <summary><see cref="Delete"/> that never fails: for clean-ups that must not fail the action.</summary>
    public bool TryDelete()
    {
        try { return Delete(); }
        catch (FileException) { return false; }
    }

    public override string ToString() => Path;
}
