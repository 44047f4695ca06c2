using System.Text.Json.Nodes;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Storage.Tests.Support;
using static LlamaTrainer.Storage.Tests.Checkpoints.CheckpointFixtures;
using static LlamaTrainer.Storage.Tests.Checkpoints.ShardedFixtures;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

/// <summary>Format-2 checkpoints written by several ranks, each its own part, run against every backend.</summary>
public abstract class ShardedCheckpointBehaviour
{
    private readonly CapturedLog _log = new();

    /// <summary>A new, empty store.</summary>
    protected abstract IObjectStore NewStore();

    private CheckpointStore Checkpoints(IObjectStore store) => new(store, logger: _log.Logger);

    [Fact]
    public async Task Two_ranks_commit_a_format_2_checkpoint_listing_their_shards_the_state_and_the_index()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);

        var committed = await WriteShardedAsync(checkpoints, 300, Model(seed: 1));

        Assert.Equal(2, committed.FormatVersion);
        Assert.Equal(["rank-00000.bin", "rank-00001.bin", TrainerStateShard, TensorIndex.FileName], committed.Shards.Select(s => s.Name));
        Assert.Equal(new CheckpointLayout(1, 1, 1, 2, 2), Assert.Single(await checkpoints.ListCommittedAsync()).Layout);
        var index = StoredJson.Deserialize<TensorIndex>(await store.GetBytesAsync("checkpoints/step-0000000300/tensors.json"), "tensors.json");
        Assert.Equal(["embed", "norm", "layers.0.wq", "bias", "tokens"], index.Tensors.Select(t => t.Name));
        // embed is first in each shard: 4 of its 7 rows (96 bytes) on rank 0, 3 rows (72 bytes) on rank 1.
        Assert.Equal(
            [new StoredPiece("rank-00000.bin", 96, 6, TensorRegion.Rows([5], 0, 3), Sha256(Model(1)[1].Bytes[..6])), new StoredPiece("rank-00001.bin", 72, 4, TensorRegion.Rows([5], 3, 2), Sha256(Model(1)[1].Bytes[6..]))],
            index.Find("norm").Pieces);
        Assert.Equal(["rank-00000.bin"], index.Find("bias").Pieces.Select(p => p.Shard));
        var rank0 = await store.GetBytesAsync("checkpoints/step-0000000300/rank-00000.bin");
        Assert.Equal(committed.Shards[0], new ShardDigest("rank-00000.bin", rank0.Length, Sha256(rank0)));
        Assert.Equal(TrainerState(300), await store.GetBytesAsync("checkpoints/step-0000000300/" + TrainerStateShard));
    }

    [Fact]
    public async Task A_rank_result_survives_being_sent_as_json()
    {
        var checkpoints = Checkpoints(NewStore());
        var id = await checkpoints.BeginAsync(5);
        var shard = await checkpoints.WriteRankShardAsync(id, 1, PiecesOf(Model(2), 1, 2));

        var json = JsonNode.Parse(StoredJson.Serialize(shard))!.AsObject();
        var back = StoredJson.Deserialize<RankShard>(StoredJson.Serialize(shard), "message");

        Assert.Equal(["rank", "shard", "tensors"], json.Select(p => p.Key));
        Assert.Equal(shard.Shard, back.Shard);
        Assert.Equal(shard.Tensors.SelectMany(t => t.Pieces), back.Tensors.SelectMany(t => t.Pieces));
        Assert.Empty(back.Tensors.Single(t => t.Name == "bias").Pieces);
    }

    [Fact]
    public async Task A_crash_before_the_manifest_leaves_the_previous_checkpoint_the_newest()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await WriteShardedAsync(checkpoints, 100, Model(seed: 1));
        var id = await checkpoints.BeginAsync(200);
        await checkpoints.WriteRankShardAsync(id, 0, PiecesOf(Model(2), 0, 2));
        await checkpoints.WriteRankShardAsync(id, 1, PiecesOf(Model(2), 1, 2)); // rank 0 dies before committing

        Assert.Equal("step-0000000100", (await checkpoints.NewestCommittedAsync())!.Id);
        Assert.Equal([100L], (await checkpoints.ListCommittedAsync()).Select(m => m.Step));
        Assert.True(await store.ExistsAsync("checkpoints/step-0000000200/rank-00001.bin"));
    }

    [Fact]
    public async Task Beginning_a_step_again_uncommits_the_earlier_attempt_before_its_shards_are_overwritten()
    {
        var checkpoints = Checkpoints(NewStore());
        await WriteShardedAsync(checkpoints, 100, Model(seed: 1));

        await checkpoints.BeginAsync(100);

        Assert.Empty(await checkpoints.ListCommittedAsync());
    }

    [Fact]
    public async Task A_writer_that_writes_the_wrong_byte_count_fails_its_shard_naming_rank_and_tensor()
    {
        var checkpoints = Checkpoints(NewStore());
        var id = await checkpoints.BeginAsync(7);
        var shortPiece = TensorPieceSource.FromBytes("embed", ElementType.Float32, [7, 6], TensorRegion.Rows([7, 6], 0, 4), new byte[95]);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoints.WriteRankShardAsync(id, 3, [shortPiece]));

        Assert.Equal("rank 3: the writer of tensor 'embed' region [0..4)x[0..6) wrote 95 bytes; 24 elements of Float32 are 96", e.Message);
    }

    [Fact]
    public async Task Pieces_outside_their_shape_or_disagreeing_on_it_are_rejected_before_writing()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var id = await checkpoints.BeginAsync(7);
        var outside = TensorPieceSource.FromBytes("norm", ElementType.BFloat16, [5], TensorRegion.Rows([5], 4, 2), new byte[4]);
        var first = TensorPieceSource.FromBytes("norm", ElementType.BFloat16, [5], TensorRegion.Rows([5], 0, 1), new byte[2]);
        var other = TensorPieceSource.FromBytes("norm", ElementType.BFloat16, [6], TensorRegion.Rows([6], 1, 1), new byte[2]);

        var e1 = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.WriteRankShardAsync(id, 0, [outside]));
        var e2 = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.WriteRankShardAsync(id, 0, [first, other]));
        await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.WriteRankShardAsync("latest", 0, [first]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => checkpoints.WriteRankShardAsync(id, 100_000, [first]));

        Assert.Contains("rank 0: piece 0: tensor 'norm': region [4..6) lies outside the shape [5] in dimension 0", e1.Message);
        Assert.Contains("rank 0: piece 1 of tensor 'norm' is BFloat16 [6]; an earlier piece says BFloat16 [5]", e2.Message);
        Assert.Empty(await store.ListAllAsync());
    }

    [Fact]
    public async Task Rank_0_refuses_to_commit_when_a_reported_shard_is_missing_or_the_pieces_leave_a_gap()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var id = await checkpoints.BeginAsync(9);
        var rank0 = await checkpoints.WriteRankShardAsync(id, 0, PiecesOf(Model(1), 0, 2));
        var rank1 = await checkpoints.WriteRankShardAsync(id, 1, PiecesOf(Model(1), 1, 2));
        await store.DeleteAsync("checkpoints/step-0000000009/rank-00001.bin");

        var gap = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitManifestAsync(Draft(9), [rank0], []));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoints.CommitManifestAsync(Draft(9), [rank0, rank1], []));
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitManifestAsync(Draft(9), [rank0, rank0], []));
        var layout = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitManifestAsync(Draft(9) with { Layout = new CheckpointLayout(2, 1, 1, 2, 2) }, [rank0, rank1], []));
        var reserved = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitManifestAsync(Draft(9), [rank0, rank1], [Shard(TensorIndex.FileName, [1])]));

        Assert.Contains("tensor index: tensor 'embed': the pieces hold 24 of its 42 elements", gap.Message);
        Assert.Contains("shard 'rank-00001.bin' was reported with", missing.Message);
        Assert.Contains("is missing; not committing", missing.Message);
        Assert.Contains("rank 0 appears twice", twice.Message);
        Assert.Contains("tp*cp*pp*dp = 4, but worldSize is 2", layout.Message);
        Assert.Contains("reserved for the tensor index", reserved.Message);
        Assert.Empty(await checkpoints.ListCommittedAsync());
    }

    [Fact]
    public async Task Ranks_that_disagree_on_a_tensor_are_named()
    {
        var checkpoints = Checkpoints(NewStore());
        var id = await checkpoints.BeginAsync(9);
        var rank0 = await checkpoints.WriteRankShardAsync(id, 0, [TensorPieceSource.FromBytes("w", ElementType.Float32, [2], TensorRegion.Rows([2], 0, 1), new byte[4])]);
        var rank1 = await checkpoints.WriteRankShardAsync(id, 1, [TensorPieceSource.FromBytes("w", ElementType.BFloat16, [2], TensorRegion.Rows([2], 1, 1), new byte[2])]);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitManifestAsync(Draft(9), [rank0, rank1], []));

        Assert.Contains("tensor 'w' is BFloat16 [2] on rank 1 but Float32 [2] on rank 0", e.Message);
    }
}
