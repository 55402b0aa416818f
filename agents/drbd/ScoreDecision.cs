namespace HaCluster.Agents.Drbd;

/// <summary>What a <see cref="ScoreDecision"/> does with the promotion score.</summary>
public enum ScoreAction { Set, Delete, Leave }

/// <summary>What to do with the promotion score, and why (for the debug log and the tests).</summary>
public sealed record ScoreDecision(ScoreAction Action, long Value, string Why)
{
    /// <summary>Primary with every disk UpToDate everywhere and unfence_if_all_uptodate: run the unfence hook.</summary>
    public bool Unfence { get; init; }

    public static ScoreDecision SetTo(long value, string why) =>
        value <= 0 ? new(ScoreAction.Delete, 0, why + $" (score {value}: deleted, never set to 0 or less)") : new(ScoreAction.Set, value, why);
    public static ScoreDecision Delete(string why) => new(ScoreAction.Delete, 0, why);
    public static ScoreDecision Leave(string why) => new(ScoreAction.Leave, 0, why);
}
