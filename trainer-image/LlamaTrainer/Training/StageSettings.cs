using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Training;

/// <summary>
/// A stage of the job with every default applied (by <see cref="JobResolver"/>, the one place defaults live): what the
/// train loop needs and nothing it has to look up.
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
    double GradClip,
    ActivationCheckpointing ActivationCheckpointing,
    int VirtualStages)
{
    /// <summary>
    /// Stage <paramref name="stageName"/> of a resolved job (the resolver's defaults: the ones the operator plans with),
    /// at LongContext length <paramref name="lengthIndex"/>; errors name the stage or the length index.
    /// </summary>
    public static StageSettings Resolve(ResolvedJob job, string stageName, int? lengthIndex)
    {
        var stage = job.Stages.FirstOrDefault(s => s.Name == stageName)
            ?? throw new ArgumentException($"stage '{stageName}' is not in spec.stages (have: {string.Join(", ", job.Stages.Select(s => s.Name))})", nameof(stageName));

        int sequenceLength;
        int? resolvedLengthIndex = null;
        if (stage.Type == StageType.LongContext)
        {
            var i = lengthIndex ?? 0;
            if (i < 0 || i >= stage.SequenceLengths.Count)
            {
                throw new ArgumentException($"--length-index {i} is out of range: spec.stages[{stage.Index}].sequenceLengths has {stage.SequenceLengths.Count} entries");
            }

            sequenceLength = stage.SequenceLengths[i];
            resolvedLengthIndex = i;
        }
        else
        {
            sequenceLength = stage.SequenceLength;
        }

        // Whole micro-batches per data-parallel rank are the validator's rule (BatchRules), checked before resolving.
        var batches = new BatchRamp(
            new BatchShape(stage.BatchTokens, sequenceLength),
            stage.BatchRamp.Select(r => new RampPoint(r.AfterTokens, new BatchShape(r.BatchTokens, r.SequenceLength))));
        var optimizer = stage.Optimizer;
        var schedule = new LearningRateSchedule(stage.Schedule.Kind, optimizer.Lr, stage.Schedule.WarmupSteps, stage.Schedule.DecaySteps, stage.Schedule.MinLr);
        return new StageSettings(
            stage.Name, stage.Index, resolvedLengthIndex, stage.Tokens, batches, stage.MicroBatchSize, schedule,
            optimizer.Beta1, optimizer.Beta2, optimizer.Eps, optimizer.WeightDecay, optimizer.GradClip, stage.ActivationCheckpointing,
            stage.Parallelism.VirtualStages);
    }
}
