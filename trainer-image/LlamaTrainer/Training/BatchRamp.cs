namespace LlamaTrainer.Training;

/// <summary>Global batch size and sequence length as a function of the tokens consumed in the stage.</summary>
public sealed class BatchRamp
{
    private readonly IReadOnlyList<RampPoint> _points;

    /// <param name="initial">the batch from token 0</param>
    /// <param name="later">switches: from AfterTokens on, this batch (sorted or not)</param>
    public BatchRamp(BatchShape initial, IEnumerable<RampPoint> later)
    {
        _points = [new RampPoint(0, initial), .. later.OrderBy(p => p.AfterTokens)];
    }

    public BatchShape At(long stageTokens) => _points.Last(p => p.AfterTokens <= stageTokens).Shape;

    /// <summary>Optimizer steps needed to consume <paramref name="budget"/> tokens (the last step may overshoot).</summary>
    public long StepsFor(long budget)
    {
        long tokens = 0, steps = 0;
        while (tokens < budget)
        {
            tokens += At(tokens).BatchTokens;
            steps++;
        }
        return steps;
    }
}

/// <summary>A global batch: <see cref="BatchTokens"/> tokens as sequences of <see cref="SequenceLength"/>.</summary>
public sealed record BatchShape(long BatchTokens, int SequenceLength)
{
    public long Sequences => BatchTokens / SequenceLength;
}

public sealed record RampPoint(long AfterTokens, BatchShape Shape);
