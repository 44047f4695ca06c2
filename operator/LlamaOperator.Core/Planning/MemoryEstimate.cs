namespace LlamaOperator.Core.Planning;

/// <summary>Estimated memory of the busiest GPU of a stage, by component, in bytes.</summary>
/// <param name="PipelineStage">The busiest GPU's pipeline rank (its PP coordinate; with virtual stages it holds several).</param>
public sealed record MemoryEstimate(
    int PipelineStage,
    long ParametersPerGpu,
    long WeightsBytes,
    long GradientsBytes,
    long OptimizerBytes,
    long ActivationsBytes,
    long OverheadBytes,
    long GpuMemoryBytes)
{
    public long TotalBytes => WeightsBytes + GradientsBytes + OptimizerBytes + ActivationsBytes + OverheadBytes;

    /// <summary>An estimate, so a miss is a warning: the trainer's own allocator has the last word.</summary>
    public bool Fits => TotalBytes <= GpuMemoryBytes;
}
