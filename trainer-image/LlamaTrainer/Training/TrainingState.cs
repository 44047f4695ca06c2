namespace LlamaTrainer.Training;

/// <summary>
/// Where training stands: optimizer steps and tokens over the whole job and within the current stage. A LongContext
/// length also keeps the short-context loss of its starting weights, the gate's baseline, so a resume keeps it too.
/// </summary>
public sealed record TrainingState(long Step, long Tokens, long StageStep, long StageTokens, double? BaselineShortContextLoss = null)
{
    public static readonly TrainingState Start = new(0, 0, 0, 0);

    /// <summary>The same job position at the start of a new stage.</summary>
    public TrainingState NextStage() => this with { StageStep = 0, StageTokens = 0, BaselineShortContextLoss = null };
}
