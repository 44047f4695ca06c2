namespace LlamaTrainer.Training;

/// <summary>Where training stands: optimizer steps and tokens over the whole job and within the current stage.</summary>
public sealed record TrainingState(long Step, long Tokens, long StageStep, long StageTokens)
{
    public static readonly TrainingState Start = new(0, 0, 0, 0);

    /// <summary>The same job position at the start of a new stage.</summary>
    public TrainingState NextStage() => this with { StageStep = 0, StageTokens = 0 };
}
