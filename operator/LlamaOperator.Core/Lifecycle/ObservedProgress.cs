namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// What the trainer wrote to storage, mapped by the I/O shell from its heartbeat and checkpoint manifests:
/// the last heartbeat, the newest committed checkpoint, and the final (averaged) model once written.
/// </summary>
public sealed record ObservedProgress(ObservedHeartbeat? Heartbeat, CommittedCheckpoint? Checkpoint, string? FinalModelUri)
{
    public static ObservedProgress None { get; } = new(null, null, null);

    /// <summary>Why storage could not be read this time (null when it was): the rest is then the last good read.</summary>
    public string? Unavailable { get; init; }
}

/// <summary>The trainer's last heartbeat: job-wide step and tokens, loss, throughput, when and in which state.</summary>
public sealed record ObservedHeartbeat(long Step, long Tokens, DateTime Time, string State, double? Loss = null, double? TokensPerSecond = null)
{
    /// <summary>The stage (and LongContext length) the trainer reports from, with its tokens in that stage or length.</summary>
    public string? Stage { get; init; }

    public int? LengthIndex { get; init; }

    public long? StageTokens { get; init; }
}

/// <summary>
/// A committed checkpoint. StageEnd marks the checkpoint taken when the stage (for LongContext: the length at
/// LengthIndex) used up its token budget; Evals holds the gate's evaluation results taken with it.
/// </summary>
public sealed record CommittedCheckpoint(
    string Id,
    string Uri,
    string Stage,
    int StageIndex,
    int LengthIndex,
    long Step,
    long Tokens,
    bool StageEnd,
    DateTime? Time = null,
    CheckpointEvals? Evals = null);

/// <summary>
/// Eval results in a manifest: short-context loss, its pre-long-context baseline, needle accuracy by context length.
/// Equal by value, the accuracies included, so two reads of the same manifest compare equal.
/// </summary>
public sealed record CheckpointEvals(double? ShortContextLoss, double? BaselineShortContextLoss, IReadOnlyDictionary<int, double> NeedleAccuracy)
{
    public bool Equals(CheckpointEvals? other) =>
        other is not null
        && Nullable.Equals(ShortContextLoss, other.ShortContextLoss)
        && Nullable.Equals(BaselineShortContextLoss, other.BaselineShortContextLoss)
        && NeedleAccuracy.Count == other.NeedleAccuracy.Count
        && NeedleAccuracy.All(a => other.NeedleAccuracy.TryGetValue(a.Key, out var b) && a.Value.Equals(b));

    public override int GetHashCode() => HashCode.Combine(ShortContextLoss, BaselineShortContextLoss, NeedleAccuracy.Count);
}
