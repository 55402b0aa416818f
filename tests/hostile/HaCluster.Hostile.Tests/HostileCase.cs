namespace HaCluster.Hostile.Tests;

/// <summary>
/// One run: an agent, an action ("probe" is monitor without an interval), what is hostile about
/// it (<see cref="Label"/>), the variables it gets on top of the agent's baseline, and the
/// deadline it must end within.
/// </summary>
public sealed record HostileCase(
    string Agent,
    string Action,
    string Label,
    Func<RunDirectory, IReadOnlyDictionary<string, EnvValue>> Variables,
    TimeSpan Deadline)
{
    /// <summary>
    /// When set, the run's deadline is too far away to wait for (a timeout of 2^63-1 ms is taken
    /// as 24.8 days): the run is ended after this long, and still running then is no failure.
    /// </summary>
    public TimeSpan? GiveUpAfter { get; init; }

    /// <summary>The agent's argv[1].</summary>
    public string Verb => Action == "probe" ? "monitor" : Action;

    public override string ToString() => $"{Agent} {Action} {Label}";
}

/// <summary>Something a run did wrong: a kind to group by and the details of this case.</summary>
public sealed record Problem(string Kind, string Detail);

/// <summary>A case and what was wrong with it.</summary>
public sealed record Finding(HostileCase Case, Problem Problem);
