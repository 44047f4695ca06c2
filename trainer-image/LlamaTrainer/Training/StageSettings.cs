using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Training;

/// <summary>
/// A stage of the job with every default applied: what the train loop needs and nothing it has to look up.
/// Weight decay applies to matrices only; norms' gains and the input embedding are not decayed (as in most
/// Llama reproductions: decaying a gain pulls it toward 0, not toward "no change").
/// </summary>
public sealed record StageSettings(
    string Name,
    int StageIndex,
    int? LengthIndex,
    long TokenBudget,
    BatchRamp Batches,
    int MicroBatchSize,
    LearningRateSchedule Schedule,
    double Beta1,
    double Beta2,
    double Eps,
    double WeightDecay,
    double GradClip)
{
    /// <summary>Resolves stage <paramref name="stageName"/> of a job; errors name the field at fault.</summary>
    public static StageSettings Resolve(LlamaTrainingJobSpec job, string stageName, int? lengthIndex, ModelConfig model)
    {
        var index = job.Stages.FindIndex(s => s.Name == stageName);
        if (index < 0)
        {
            throw new ArgumentException($"stage '{stageName}' is not in spec.stages (have: {string.Join(", ", job.Stages.Select(s => s.Name))})", nameof(stageName));
        }
        var stage = job.Stages[index];
        var field = $"spec.stages[{index}]";

        int sequenceLength;
        int? resolvedLengthIndex = null;
        if (stage.Type == StageType.LongContext)
        {
            var lengths = stage.SequenceLengths;
            if (lengths is null || lengths.Count == 0)
            {
                throw new ArgumentException($"{field}.sequenceLengths: a LongContext stage needs at least one length");
            }
            var i = lengthIndex ?? 0;
            if (i < 0 || i >= lengths.Count)
            {
                throw new ArgumentException($"--length-index {i} is out of range: {field}.sequenceLengths has {lengths.Count} entries");
            }
            sequenceLength = lengths[i];
            resolvedLengthIndex = i;
        }
        else
        {
            sequenceLength = stage.SequenceLength
                ?? throw new ArgumentException($"{field}.sequenceLength: required for a {stage.Type} stage");
        }

        var microBatch = stage.MicroBatchSize ?? 1;
        var initial = Shape(stage.BatchTokens, sequenceLength, microBatch, $"{field}.batchTokens");
        var ramp = (stage.BatchRamp ?? []).Select((r, i) => new RampPoint(
            r.AfterTokens, Shape(r.BatchTokens, r.SequenceLength ?? sequenceLength, microBatch, $"{field}.batchRamp[{i}].batchTokens")));
        var batches = new BatchRamp(initial, ramp);

        var optimizer = stage.Optimizer ?? new OptimizerSpec();
        var peak = optimizer.Lr ?? model.PeakLr;
        var kind = stage.Schedule?.Kind ?? stage.Type switch
        {
            StageType.Pretrain => LrScheduleKind.Cosine,
            StageType.LongContext => LrScheduleKind.Constant,
            _ => LrScheduleKind.LinearToZero,
        };
        var totalSteps = batches.StepsFor(stage.Tokens);
        var warmup = stage.Schedule?.WarmupSteps ?? 0;
        var schedule = new LearningRateSchedule(
            kind,
            peak,
            warmup,
            stage.Schedule?.DecaySteps ?? (kind == LrScheduleKind.LinearToZero ? totalSteps : Math.Max(1, totalSteps - warmup)),
            stage.Schedule?.MinLr ?? peak / 100);

        return new StageSettings(
            stage.Name, index, resolvedLengthIndex, stage.Tokens, batches, microBatch, schedule,
            optimizer.Beta1 ?? 0.9, optimizer.Beta2 ?? 0.95, optimizer.Eps ?? 1e-8, optimizer.WeightDecay ?? 0.1, optimizer.GradClip ?? 1.0);
    }

    private static BatchShape Shape(long batchTokens, int sequenceLength, int microBatch, string field)
    {
        if (batchTokens % ((long)sequenceLength * microBatch) != 0)
        {
            throw new ArgumentException($"{field}: {batchTokens} tokens is not a multiple of sequence length {sequenceLength} x micro-batch {microBatch}");
        }
        return new BatchShape(batchTokens, sequenceLength);
    }
}
