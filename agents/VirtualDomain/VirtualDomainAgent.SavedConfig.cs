using HaCluster.Core;
using HaCluster.Core.Files;
using HaCluster.Core.Processes;
using HaCluster.Libvirt;

namespace HaCluster.Agents.VirtualDomain;

// save_config_on_stop and sync_config_on_stop: the running domain's configuration written back to
// the config file on stop, migrate_to, migrate_from and monitor, like the shell agent does.
public sealed partial class VirtualDomainAgent
{
    /// <summary>
    /// Writes the domain's inactive XML (with security information) to the config file when it
    /// differs, after checking it (and with virt-xml-validate when installed); then csync2 for
    /// sync_config_on_stop. Problems are warnings: they must not fail a stop.
    /// </summary>
    void SaveConfigFile(DomainRef domain, Deadline slice)
    {
        string name = Config.DomainName;
        string path = Config.ConfigFile;
        string xml;
        try { xml = Call(slice, c => c.GetXmlDesc(domain, DomainXmlFlags.Inactive | DomainXmlFlags.Secure, slice)); }
        catch (Exception e) when (e is LibvirtException or LibvirtUnavailableException)
        {
            LogLibvirtConfigUnreadable(Log, name, e.Message);
            return;
        }
        if (xml.Length == 0) { LogLibvirtConfigEmpty(Log, name); return; }
        if (xml == Config.ConfigXml) return;
        if (DomainConfig.Parse(xml, out var error) is not { } parsed || parsed.Name != name)
        {
            LogLibvirtConfigUnusable(Log, name, error ?? "another name");
            return;
        }
        // The config's directory may be writable by others (a shared NFS export): nothing is
        // ever written or chmod'ed through a name someone could have planted. A link at the config
        // itself is left alone: replacing it would cut the user's link to shared storage, writing
        // through it would let whoever placed it choose the file root overwrites.
        if (IsSymbolicLink(path))
        {
            LogConfigIsLink(Log, name, path);
            return;
        }
        if (!ValidatesAsDomain(xml, name)) return;
        try
        {
            AtomicFile.WriteText(path, xml, AtomicWriteOptions.LikeExisting(path));
            // What the file holds now: a later save in this invocation compares with it.
            configuration = Config with { ConfigXml = xml };
            LogConfigSaved(Log, name, path);
        }
        catch (FileException e)
        {
            LogConfigWriteFailed(Log, path, e.Cause);
            return;
        }
        if (syncConfigOnStop.Value)
        {
            var csync = Processes.Run(new ProcessSpec(RequireTool("csync2", "sync_config_on_stop"), "-x", path), Deadline.Reserve(TimeSpan.FromTicks(Deadline.Remaining.Ticks / 2)));
            if (!csync.Succeeded) LogConfigSyncFailed(Log, path, csync.Describe());
        }
    }

    /// <summary>
    /// virt-xml-validate, when installed, on a copy in a directory of our own (mode 0700, an
    /// unpredictable name): never a fixed name beside the user's file.
    /// </summary>
    bool ValidatesAsDomain(string xml, string name)
    {
        const string validator = "/usr/bin/virt-xml-validate";
        if (!Processes.IsInstalled(validator)) return true;
        DirectoryInfo? scratch = null;
        try
        {
            scratch = Directory.CreateTempSubdirectory("hacluster-VirtualDomain-");
            string copy = Path.Combine(scratch.FullName, "domain.xml");
            AtomicFile.WriteText(copy, xml);
            var check = Processes.Run(new ProcessSpec(validator, copy, "domain"), Deadline.Within(TimeSpan.FromSeconds(10)));
            if (check.Succeeded) return true;
            LogLibvirtConfigInvalid(Log, name, check.Describe());
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogConfigNotValidated(Log, name, ExceptionText.Describe(e));
            return false;
        }
        finally
        {
            try { scratch?.Delete(recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    static bool IsSymbolicLink(string path)
    {
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return false; }
    }
}
