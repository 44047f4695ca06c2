using System.Globalization;
using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Planning;

/// <summary>
/// Plans the 4D layout of a job's stages. Pure: the same job gives the same plan. Takes a resolved job, so
/// the batch shapes are already known to divide evenly (JobValidator's batch and layout rules).
/// </summary>
public static class StagePlanner
{
    public static IReadOnlyList<StagePlan> PlanAll(ResolvedJob job) =>
        [.. job.Stages.Select((_, index) => Plan(job, index))];

    public static StagePlan Plan(ResolvedJob job, string stageName)
    {
        var stage = job.Stages.FirstOrDefault(s => s.Name == stageName)
            ?? throw new PlanException("spec.stages", $"no stage named '{stageName}'; the job has: {string.Join(", ", job.Stages.Select(s => s.Name))}");
        return Plan(job, stage.Index);
    }

    public static StagePlan Plan(ResolvedJob job, int stageIndex)
    {
        var stage = job.Stages[stageIndex];
        var field = $"spec.stages[{stageIndex}].parallelism";
        var model = job.Model;
        var layout = ParallelLayout.Create(stage.Parallelism, job.Cluster.GpusPerNode, field);
        var pipeline = VirtualPipelineSplit.Of(model.Layers, layout.Pp, stage.Parallelism.VirtualStages, field);
        var gpuMemoryGiB = job.Cluster.GpuMemoryGiB;

        var phases = new List<StagePhase>();
        foreach (var (sequenceLength, batchTokens) in BatchShapes(stage))
        {
            var sequencesPerReplica = batchTokens / sequenceLength / layout.Dp;
            var microBatches = sequencesPerReplica / stage.MicroBatchSize;
            var memory = MemoryEstimator.Estimate(
                model, layout, pipeline.LayersPerVirtualStage, sequenceLength, stage.MicroBatchSize, microBatches, stage.ActivationCheckpointing, gpuMemoryGiB, virtualStages: pipeline.VirtualStages);
            phases.Add(new StagePhase(sequenceLength, batchTokens, sequencesPerReplica, microBatches, memory));
        }

        return new StagePlan(stage.Name, stageIndex, stage.Type, model, layout, pipeline, stage.MicroBatchSize, stage.ActivationCheckpointing, phases, Warnings(phases, layout, gpuMemoryGiB));
    }

    /// <summary>Every (sequence length, batch tokens) the stage trains with: each long-context length, or the start and each batch-ramp step.</summary>
    private static IEnumerable<(int SequenceLength, long BatchTokens)> BatchShapes(ResolvedStage stage) =>
        stage.Type == StageType.LongContext
            ? stage.SequenceLengths.Select(length => (length, stage.BatchTokens))
            : stage.BatchRamp.OrderBy(step => step.AfterTokens).Select(step => (step.SequenceLength, step.BatchTokens)).Prepend((stage.SequenceLength, stage.BatchTokens));

    private static List<string> Warnings(List<StagePhase> phases, ParallelLayout layout, double gpuMemoryGiB)
    {
        var warnings = new List<string>();
        foreach (var phase in phases.Where(p => !p.Memory.Fits))
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"estimated {phase.Memory.TotalBytes / 1e9:F1} GB per GPU at sequence length {phase.SequenceLength} exceeds {gpuMemoryGiB:0.#} GiB ({phase.Memory.GpuMemoryBytes / 1e9:F1} GB) of GPU memory (pipeline rank {phase.Memory.PipelineStage})"));
        }

        if (layout.Pp > 1 && phases.Any(p => p.MicroBatches < layout.Pp))
        {
            var fewest = phases.Min(p => p.MicroBatches);
            warnings.Add($"only {fewest} micro-batches per step for pp={layout.Pp}: the pipeline bubble dominates (1F1B wants at least pp micro-batches)");
        }

        return warnings;
    }
}
