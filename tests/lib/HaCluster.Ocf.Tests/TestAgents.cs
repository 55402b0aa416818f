using HaCluster.Core;
using HaCluster.Ocf;
using Microsoft.Extensions.Logging;

namespace HaCluster.Ocf.Tests;

/// <summary>
/// An agent with one parameter of every kind, whose actions do what the test tells them
/// (by delegates) and record that they ran.
/// </summary>
public sealed class SpecAgent : ResourceAgent
{
    public readonly StringParameter Config = new("config", "Config file", "Path of the configuration.") { Required = true, Unique = true };
    public readonly StringParameter Label = new("label", "Label", "A free text label.") { Default = "none", Reloadable = true };
    public readonly IntegerParameter Count = new("count", "Count", "How many.") { Default = 5, Minimum = 1, Maximum = 100 };
    public readonly BooleanParameter Flag = new("flag", "Flag", "A switch.") { Default = true };
    public readonly SelectParameter Mode = new("mode", "Mode", "How to stop.", "soft", "hard") { Default = "soft" };
    public readonly StringParameter Secret = new("secret", "Secret", "A password.") { Private = true, Reloadable = true };
    public readonly StringParameter Netmask = new("netmask", "Netmask", "Old name of cidr.") { ReplacedBy = "cidr" };
    public readonly StringParameter Cidr = new("cidr", "Prefix", "Prefix length.");
    public readonly StringParameter Nic = new("nic", "Interface", "Needs a restart when changed.");

    public List<string> Ran { get; } = [];
    public Func<OcfExitCode> OnStart { get; set; } = () => OcfExitCode.Success;
    public Func<OcfExitCode> OnStop { get; set; } = () => OcfExitCode.Success;
    public Func<OcfExitCode> OnMonitor { get; set; } = () => OcfExitCode.NotRunning;
    public Action OnValidate { get; set; } = () => { };
    public Func<OcfException, OcfExitCode>? OnStopDespiteInvalid { get; set; }

    /// <summary>What the actions saw: parameter values at the time each ran.</summary>
    public List<string> Seen { get; } = [];

    /// <summary>The action of the invocation (the host's Action) each call ran under.</summary>
    public List<string> RanAs { get; } = [];

    public override string Name => "Spec";
    public override string ShortDescription => "Spec agent <for> tests & such";
    public override string LongDescription => "Long description with <markup> & \"quotes\".";
    public override IReadOnlyList<Parameter> Parameters => [Config, Label, Count, Flag, Mode, Secret, Netmask, Cidr, Nic];
    public override IReadOnlyList<ActionSpec> Actions =>
    [
        ActionSpec.Start(30), ActionSpec.Stop(40), ActionSpec.Monitor(20, 10), ActionSpec.Reload(15),
        ActionSpec.MetaData(), ActionSpec.ValidateAll(10),
    ];

    public override void Validate() { Ran.Add("validate"); RanAs.Add("validate:" + Action); OnValidate(); }
    public override OcfExitCode Start() { Record("start"); return OnStart(); }
    public override OcfExitCode Stop() { Record("stop"); return OnStop(); }
    public override OcfExitCode Monitor() { Record("monitor"); return OnMonitor(); }
    public override OcfExitCode Reload() { Record("reload"); return OcfExitCode.Success; }
    public override OcfExitCode StopDespiteInvalidConfiguration(OcfException e)
    {
        Ran.Add("stop-despite-invalid");
        return OnStopDespiteInvalid is { } f ? f(e) : base.StopDespiteInvalidConfiguration(e);
    }

    /// <summary>The deadline an action saw, for the tests of the timeout rules.</summary>
    public TimeSpan? RemainingAtStart { get; private set; }

    void Record(string action)
    {
        Ran.Add(action);
        RanAs.Add(action + ":" + Action);
        Seen.Add($"{action}: nic={Nic.Value} label={Label.Value}");
        RemainingAtStart = Deadline.Remaining;
        Log.LogInformation("running {Action}", action);
    }
}
