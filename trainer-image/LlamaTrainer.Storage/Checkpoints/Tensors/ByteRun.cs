namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>Bytes contiguous in both a source box's and a target box's row-major layout: copy Bytes from SourceOffset to TargetOffset.</summary>
public readonly record struct ByteRun(long SourceOffset, long TargetOffset, long Bytes);
