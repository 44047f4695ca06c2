namespace LlamaOperator.Core.Planning;

/// <summary>
/// A stretch of a stage with one batch shape: the stage's start, each batch-ramp step, or each long-context length.
/// </summary>
/// <param name="SequencesPerReplica">Sequences of the global batch each DP replica processes per step.</param>
/// <param name="MicroBatches">Micro-batches per step on a replica (gradient accumulation; PP keeps up to PP in flight).</param>
public sealed record StagePhase(
    int SequenceLength,
    long BatchTokens,
    long SequencesPerReplica,
    long MicroBatches,
    MemoryEstimate Memory);
