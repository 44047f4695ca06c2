using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

/// <summary>A small model's tensors and how data-parallel ranks own their rows, as a sharded trainer would write them.</summary>
public static class ShardedFixtures
{
    public const string TrainerStateShard = "trainer-state.json";

    /// <summary>Tensors of several ranks and types, bytes depending on <paramref name="seed"/>: a 1-d tensor of 5 rows, one of a single row (rank 1 of 2 owns none of it), a 3-d one.</summary>
    public static IReadOnlyList<FullTensor> Model(int seed) =>
    [
        Full("embed", ElementType.Float32, [7, 6], seed),
        Full("norm", ElementType.BFloat16, [5], seed + 1),
        Full("layers.0.wq", ElementType.Float64, [4, 3, 2], seed + 2),
        Full("bias", ElementType.Float32, [1, 8], seed + 3),
        Full("tokens", ElementType.Int64, [3], seed + 4),
    ];

    /// <summary>Rows [r*c, min(rows, (r+1)*c)) with c = ceil(rows/ranks): no padding, so the last ranks may own fewer rows or none.</summary>
    public static TensorRegion OwnedRows(IReadOnlyList<long> shape, int rank, int ranks)
    {
        var perRank = (shape[0] + ranks - 1) / ranks;
        var first = Math.Min(shape[0], rank * perRank);
        return TensorRegion.Rows(shape, first, Math.Min(shape[0], first + perRank) - first);
    }

    /// <summary>What <paramref name="rank"/> of <paramref name="ranks"/> writes: its rows of every tensor.</summary>
    public static IEnumerable<TensorPieceSource> PiecesOf(IReadOnlyList<FullTensor> model, int rank, int ranks) =>
        model.Select(t =>
        {
            var owned = OwnedRows(t.Shape, rank, ranks);
            var rowBytes = owned.ElementCount == 0 ? 0 : owned.ElementCount / owned.Length[0] * t.Type.SizeOf();
            return TensorPieceSource.FromBytes(t.Name, t.Type, t.Shape, owned, t.Bytes.AsMemory((int)(owned.Start[0] * rowBytes), (int)(owned.Length[0] * rowBytes)));
        });

    /// <summary>
    /// The multi-process protocol in one process: rank 0 begins, every rank writes its shard (in parallel), sends its
    /// result as JSON, and rank 0 commits with a trainer-state shard.
    /// </summary>
    public static async Task<CheckpointManifest> WriteShardedAsync(CheckpointStore checkpoints, long step, IReadOnlyList<FullTensor> model, int ranks = 2)
    {
        var id = await checkpoints.BeginAsync(step);
        var written = await Task.WhenAll(Enumerable.Range(0, ranks).Select(async rank =>
        {
            var shard = await checkpoints.WriteRankShardAsync(id, rank, PiecesOf(model, rank, ranks));
            return StoredJson.Serialize(shard);
        }));
        var received = written.Select(json => StoredJson.Deserialize<RankShard>(json, "rank message")).ToList();
        var draft = CheckpointFixtures.Draft(step) with { Layout = new CheckpointLayout(1, 1, 1, ranks, ranks) };
        return await checkpoints.CommitManifestAsync(draft, received, [CheckpointFixtures.Shard(TrainerStateShard, TrainerState(step))]);
    }

    public static byte[] TrainerState(long step) => System.Text.Encoding.UTF8.GetBytes($$"""{"step":{{step}}}""");

    private static FullTensor Full(string name, ElementType type, long[] shape, int seed) =>
        new(name, type, shape, StoreContent.RandomBytes((int)(TensorRegion.Whole(shape).ElementCount * type.SizeOf()), seed));
}

/// <summary>A whole tensor as a single process would hold it, the reference reads are compared with.</summary>
public sealed record FullTensor(string Name, ElementType Type, long[] Shape, byte[] Bytes);
