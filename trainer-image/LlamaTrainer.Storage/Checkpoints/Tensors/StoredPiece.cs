namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// A box of a tensor stored contiguously, row-major in the box's own shape, at <paramref name="Offset"/> in the shard
/// object <paramref name="Shard"/> (a rank's rank-NNNNN.bin), with the SHA-256 (lowercase hex) of its bytes.
/// </summary>
public sealed record StoredPiece(string Shard, long Offset, long Bytes, TensorRegion Region, string Sha256);
