namespace LlamaTrainer.Training;

public enum RunOutcome
{
    /// <summary>The stage's token budget is consumed and its stage-end checkpoint committed.</summary>
    StageComplete,

    /// <summary>Stopped on request (SIGTERM); a checkpoint of the last step was committed.</summary>
    Interrupted,
}
