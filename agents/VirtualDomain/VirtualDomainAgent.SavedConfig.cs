using HaCluster.Core;
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
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", "." + Path.GetFileName(path) + ".hacluster-save");
        try
        {
            File.WriteAllText(temp, xml);
            string validator = "/usr/bin/virt-xml-validate";
            if (Processes.IsInstalled(validator))
            {
                var check = Processes.Run(new ProcessSpec(validator, temp, "domain"), Deadline.Within(TimeSpan.FromSeconds(10)));
                if (!check.Succeeded)
                {
                    LogLibvirtConfigInvalid(Log, name, check.Describe());
                    TryDelete(temp);
                    return;
                }
            }
            if (File.Exists(path)) File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
            // What the file holds now: a later save in this invocation compares with it.
            configuration = Config with { ConfigXml = xml };
            LogConfigSaved(Log, name, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogConfigWriteFailed(Log, path, e.Message);
            TryDelete(temp);
            return;
        }
        if (syncConfigOnStop.Value)
        {
            var csync = Processes.Run(new ProcessSpec(RequireTool("csync2", "sync_config_on_stop"), "-x", path), Deadline.Reserve(TimeSpan.FromTicks(Deadline.Remaining.Ticks / 2)));
            if (!csync.Succeeded) LogConfigSyncFailed(Log, path, csync.Describe());
        }
    }
}
