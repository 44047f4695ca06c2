namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>A tensor of a checkpoint: its global shape and the pieces that together hold every element exactly once.</summary>
public sealed record StoredTensor(string Name, ElementType Type, IReadOnlyList<long> Shape, IReadOnlyList<StoredPiece> Pieces);
