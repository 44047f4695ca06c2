using System.Globalization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Defaults;

namespace LlamaOperator.Core.Planning;

/// <summary>Plans the 4D layout of a job's stages. Pure: the same job gives the same plan.</summary>
public static class StagePlanner
{
    public static IReadOnlyList<StagePlan> PlanAll(LlamaTrainingJob job) =>
        [.. job.Spec.Stages.Select((_, index) => Plan(job, index))];

    public static StagePlan Plan(LlamaTrainingJob job, string stageName)
    {
        var index = job.Spec.Stages.FindIndex(s => s.Name == stageName);
        if (index < 0)
        {
            var names = string.Join(", ", job.Spec.Stages.Select(s => s.Name));
            throw new PlanException("spec.stages", $"no stage named '{stageName}'; the job has: {names}");
        }

        return Plan(job, index);
    }

    public static StagePlan Plan(LlamaTrainingJob job, int stageIndex)
    {
        var spec = job.Spec;
        var stage = spec.Stages[stageIndex];
        var field = $"spec.stages[{stageIndex}]";
        var model = ModelPresets.Resolve(spec.Model)
            ?? throw new PlanException("spec.model.preset", $"unknown preset '{spec.Model.Preset}'; expected one of {string.Join(", ", ModelPresets.Names)}");

        var layout = ParallelLayout.Create(stage.Parallelism, spec.Cluster.GpusPerNode, field + ".parallelism");
        var layers = PipelineLayerSplit.LayersPerStage(model.Layers, layout.Pp, field + ".parallelism.pp");
        var microBatchSize = SpecDefaults.MicroBatchSize(stage);
        var gpuMemoryGiB = SpecDefaults.GpuMemoryGiB(spec.Cluster);

        var phases = new List<StagePhase>();
        foreach (var (sequenceLength, batchTokens, batchField) in BatchShapes(stage, field))
        {
            var sequencesPerReplica = SequencesPerReplica(batchTokens, sequenceLength, layout.Dp, batchField);
            if (sequencesPerReplica % microBatchSize != 0)
            {
                throw new PlanException(field + ".microBatchSize", $"{sequencesPerReplica} sequences per DP replica (from {batchField}) are not a multiple of microBatchSize={microBatchSize}");
            }

            var microBatches = sequencesPerReplica / microBatchSize;
            var memory = MemoryEstimator.Estimate(model, layout, layers, sequenceLength, microBatchSize, microBatches, gpuMemoryGiB);
            phases.Add(new StagePhase(sequenceLength, batchTokens, sequencesPerReplica, microBatches, memory));
        }

        return new StagePlan(stage.Name, stageIndex, stage.Type, model, layout, layers, microBatchSize, phases, Warnings(phases, layout, gpuMemoryGiB));
    }

    /// <summary>(sequence length, batch tokens, field of the batch) for every batch shape the stage goes through.</summary>
    private static List<(int SequenceLength, long BatchTokens, string Field)> BatchShapes(StageSpec stage, string field)
    {
        var shapes = new List<(int, long, string)>();
        if (stage.Type == StageType.LongContext && stage.SequenceLengths is { Count: > 0 } lengths)
        {
            shapes.AddRange(lengths.Select(length => (length, stage.BatchTokens, field + ".batchTokens")));
            return shapes;
        }

        var sequenceLength = stage.SequenceLength
            ?? throw new PlanException(field + ".sequenceLength", stage.Type == StageType.LongContext
                ? "a LongContext stage needs sequenceLengths (or sequenceLength)"
                : $"required for a {stage.Type} stage");
        shapes.Add((sequenceLength, stage.BatchTokens, field + ".batchTokens"));

        var ramp = stage.BatchRamp ?? [];
        foreach (var (step, i) in ramp.Select((step, i) => (step, i)).OrderBy(x => x.step.AfterTokens))
        {
            sequenceLength = step.SequenceLength ?? sequenceLength;
            shapes.Add((sequenceLength, step.BatchTokens, $"{field}.batchRamp[{i}].batchTokens"));
        }

        return shapes;
    }

    private static long SequencesPerReplica(long batchTokens, int sequenceLength, int dp, string batchField)
    {
        if (sequenceLength < 1)
        {
            throw new PlanException(batchField, $"sequence length must be >= 1, got {sequenceLength}");
        }

        if (batchTokens % sequenceLength != 0)
        {
            throw new PlanException(batchField, $"{batchTokens} tokens is not a whole number of sequences of length {sequenceLength}");
        }

        var sequences = batchTokens / sequenceLength;
        if (sequences % dp != 0)
        {
            throw new PlanException(batchField, $"{sequences} sequences of length {sequenceLength} per batch do not divide evenly over dp={dp} replicas");
        }

        return sequences / dp;
    }

    private static List<string> Warnings(List<StagePhase> phases, ParallelLayout layout, double gpuMemoryGiB)
    {
        var warnings = new List<string>();
        foreach (var phase in phases.Where(p => !p.Memory.Fits))
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"estimated {phase.Memory.TotalBytes / 1e9:F1} GB per GPU at sequence length {phase.SequenceLength} exceeds {gpuMemoryGiB:0.#} GiB ({phase.Memory.GpuMemoryBytes / 1e9:F1} GB) of GPU memory (pipeline stage {phase.Memory.PipelineStage})"));
        }

        if (layout.Pp > 1 && phases.Any(p => p.MicroBatches < layout.Pp))
        {
            var fewest = phases.Min(p => p.MicroBatches);
            warnings.Add($"only {fewest} micro-batches per step for pp={layout.Pp}: the pipeline bubble dominates (1F1B wants at least pp micro-batches)");
        }

        return warnings;
    }
}
