namespace LlamaTrainer.Data.Sampling;

/// <summary>Where a source reads next: the epoch, the position in that epoch's shard order and in the shard's document order.</summary>
public sealed record SourcePosition(int Epoch, int Shard, int Document);
