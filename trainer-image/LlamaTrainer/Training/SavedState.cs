using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// The loop's part of a checkpoint (trainer-state.json, written by rank 0): where the stage stands, the RNG, the one
/// global data cursor and the optimizer's step count (AdamW's bias correction). Format-1 checkpoints lack the step
/// count (TorchSharp's AdamW kept it), so it is 0 there and taken from their optimizer state instead.
/// </summary>
public sealed record SavedState(string Stage, int? LengthIndex, TrainingState State, byte[] RngState, string DataCursor, long OptimizerSteps = 0)
{
    public static SavedState Of(Trainer trainer)
    {
        using var rng = get_rng_state();
        return new SavedState(trainer.Stage.Name, trainer.Stage.LengthIndex, trainer.State, rng.data<byte>().ToArray(), trainer.Data.SaveCursor(), trainer.Optimizer.StepCount);
    }
}
