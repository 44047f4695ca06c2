using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Planning;

/// <summary>The layout of one stage: mesh, pipeline split, batch phases and memory; Warnings do not block the stage.</summary>
public sealed record StagePlan(
    string StageName,
    int StageIndex,
    StageType StageType,
    ModelConfig Model,
    ParallelLayout Layout,
    VirtualPipelineSplit Pipeline,
    int MicroBatchSize,
    ActivationCheckpointing ActivationCheckpointing,
    IReadOnlyList<StagePhase> Phases,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Layers each pipeline rank holds: with virtual stages, the sum of its chunks'.</summary>
    public IReadOnlyList<int> LayersPerPipelineStage => Pipeline.LayersPerRank;

    /// <summary>The phase that needs the most memory (the longest sequences, usually).</summary>
    public MemoryEstimate PeakMemory => Phases.MaxBy(p => p.Memory.TotalBytes)!.Memory;
}
