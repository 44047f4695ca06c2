using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Training;
using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Evaluation;

/// <summary>
/// What a LongContext length measures for its gate: the short-context loss of its starting weights (the baseline,
/// kept in the trainer state) and, at its end, the short-context loss and needle accuracy at the length itself.
/// </summary>
public sealed class LongContextGateEvals(CheckpointEvaluator evaluator, ResolvedGate gate, int sequenceLength, ILogger log)
{
    /// <summary>The gate evals of the trainer's stage, or null when the stage is not LongContext (it has no gate).</summary>
    public static async Task<LongContextGateEvals?> OpenAsync(LlamaTrainingJob job, string dataRoot, Trainer trainer, Device device, ILogger log, CancellationToken cancellationToken)
    {
        var stage = job.Spec.Stages[trainer.Stage.StageIndex];
        if (stage.Type != StageType.LongContext || trainer.Stage.LengthIndex is not { } lengthIndex)
        {
            return null;
        }
        var gate = JobResolver.Resolve(job).Stages[trainer.Stage.StageIndex].Gate
            ?? throw new InvalidOperationException($"spec.stages[{trainer.Stage.StageIndex}] is LongContext but resolved without a gate");
        var evaluator = await CheckpointEvaluator.OpenAsync(job, dataRoot, device, CheckpointEvaluator.DefaultMaxBatches, log, cancellationToken);
        return new LongContextGateEvals(evaluator, gate, stage.SequenceLengths![lengthIndex], log);
    }

    /// <summary>At a fresh length (no stage tokens yet) records the starting weights' short-context loss in the trainer state.</summary>
    public void RecordBaseline(Trainer trainer)
    {
        if (trainer.State.StageTokens != 0 || trainer.State.BaselineShortContextLoss is not null)
        {
            return;
        }
        var baseline = evaluator.ShortContextLoss(trainer.Model, gate.ShortContextLength);
        trainer.State = trainer.State with { BaselineShortContextLoss = baseline };
        log.Information("Gate baseline: short-context loss {Loss:F4} at length {Length}", baseline, gate.ShortContextLength);
    }

    public CheckpointEvals AtStageEnd(Trainer trainer) =>
        evaluator.Evaluate(trainer.Model, gate.ShortContextLength, [sequenceLength], gate.NeedleDepths, trainer.State.BaselineShortContextLoss);
}
