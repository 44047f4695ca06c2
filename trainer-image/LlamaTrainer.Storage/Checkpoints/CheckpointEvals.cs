namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// Evaluations taken with a checkpoint; the LongContext gate reads them: short-context loss recovered
/// to the baseline, and needle-in-a-haystack accuracy per length.
/// </summary>
public sealed record CheckpointEvals
{
    public double? ShortContextLoss { get; init; }

    public int? ShortContextLength { get; init; }

    /// <summary>Short-context loss before the LongContext stage began, the level to recover to.</summary>
    public double? BaselineShortContextLoss { get; init; }

    public IReadOnlyList<NeedleResult> Needle { get; init; } = [];
}
