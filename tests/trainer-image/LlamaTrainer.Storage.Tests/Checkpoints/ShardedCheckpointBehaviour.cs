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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Readers_of_any_data_parallel_degree_get_their_rows_bit_for_bit(int readers)
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var model = Model(seed: 11);
        await WriteShardedAsync(checkpoints, 400, model, ranks: 2);

        var loaded = await checkpoints.OpenForStreamingAsync("step-0000000400");

        foreach (var tensor in model)
        {
            var assembled = new List<byte>();
            for (var rank = 0; rank < readers; rank++)
            {
                var owned = OwnedRows(tensor.Shape, rank, readers);
                var destination = new byte[owned.ElementCount * tensor.Type.SizeOf()];
                await loaded.ReadRegionAsync(tensor.Name, owned, destination);
                Assert.Equal(ReferenceSlicing.Slice(tensor.Bytes, tensor.Shape, owned, tensor.Type.SizeOf()), destination);
                assembled.AddRange(destination);
            }
            Assert.Equal(tensor.Bytes, assembled);
        }
    }

    [Fact]
    public async Task Column_blocks_and_boxes_across_both_ranks_pieces_read_bit_for_bit()
    {
        var checkpoints = Checkpoints(NewStore());
        var model = Model(seed: 12);
        await WriteShardedAsync(checkpoints, 400, model, ranks: 2);
        var loaded = await checkpoints.OpenForStreamingAsync("step-0000000400");
        var embed = model[0];
        var wq = model[2];

        foreach (var (tensor, wanted) in new[]
        {
            (embed, new TensorRegion([0, 3], [7, 3])), // a tensor-parallel rank's columns, from both row pieces
            (embed, new TensorRegion([2, 1], [4, 4])),
            (wq, new TensorRegion([1, 1, 1], [2, 2, 1])),
            (wq, TensorRegion.Whole(wq.Shape)),
        })
        {
            var destination = new byte[wanted.ElementCount * tensor.Type.SizeOf()];
            await loaded.ReadRegionAsync(tensor.Name, wanted, destination);
            Assert.Equal(ReferenceSlicing.Slice(tensor.Bytes, tensor.Shape, wanted, tensor.Type.SizeOf()), destination);
        }
    }

    [Fact]
    public async Task A_rank_loading_its_rows_reads_only_its_own_ranges_and_never_the_other_ranks_shard()
    {
        var inner = NewStore();
        await WriteShardedAsync(Checkpoints(inner), 500, Model(seed: 13), ranks: 2);
        var store = new RecordingStore(inner);
        var checkpoints = Checkpoints(store);

        var loaded = await checkpoints.LoadNewestValidAsync(async (checkpoint, ct) =>
        {
            foreach (var tensor in checkpoint.Tensors!.Tensors)
            {
                var owned = OwnedRows(tensor.Shape, 1, 2);
                await checkpoint.ReadRegionAsync(tensor.Name, owned, new byte[owned.ElementCount * tensor.Type.SizeOf()], ct);
            }
        });

        Assert.Equal(500, loaded!.Step);
        var folder = "checkpoints/step-0000000500/";
        Assert.DoesNotContain(store.Reads, r => r.Key == folder + "rank-00000.bin");
        Assert.All(store.Reads.Where(r => r.Key == folder + "rank-00001.bin"), r => Assert.NotNull(r.Length));
        Assert.Equal(4, store.Reads.Count(r => r.Key == folder + "rank-00001.bin")); // bias has no rows on rank 1
        Assert.Contains(store.Reads, r => r.Key == folder + TensorIndex.FileName);
        Assert.Contains(store.Reads, r => r.Key == folder + TrainerStateShard);
    }

    [Fact]
    public async Task A_corrupt_piece_is_named_with_shard_tensor_and_piece_and_the_other_pieces_still_read()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var model = Model(seed: 14);
        await WriteShardedAsync(checkpoints, 600, model, ranks: 2);
        var key = "checkpoints/step-0000000600/rank-00001.bin";
        var shard = await store.GetBytesAsync(key);
        shard[72 + 1] ^= 0x10; // in norm's piece, right after embed's 72 bytes
        await store.PutBytesAsync(key, shard);
        var loaded = await checkpoints.OpenForStreamingAsync("step-0000000600");

        var e = await Assert.ThrowsAsync<CheckpointCorruptException>(() => loaded.ReadRegionAsync("norm", TensorRegion.Whole([5]), new byte[10]));
        var embed = new byte[model[0].Bytes.Length];
        await loaded.ReadRegionAsync("embed", TensorRegion.Whole(model[0].Shape), embed);

        Assert.Equal("rank-00001.bin", e.Shard);
        Assert.Equal("norm", e.Tensor);
        Assert.Contains("piece 1 of tensor 'norm' (region [3..5), 4 bytes at offset 72) has SHA-256", e.Message);
        Assert.Contains("tensors.json says", e.Message);
        Assert.Equal(model[0].Bytes, embed);
        await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.OpenAsync("step-0000000600"));
    }

    [Fact]
    public async Task A_loader_that_meets_a_corrupt_piece_falls_back_to_the_previous_checkpoint()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await WriteShardedAsync(checkpoints, 100, Model(seed: 1));
        await WriteShardedAsync(checkpoints, 200, Model(seed: 2));
        await store.PutBytesAsync("checkpoints/step-0000000200/rank-00000.bin", new byte[(await store.GetBytesAsync("checkpoints/step-0000000200/rank-00000.bin")).Length]);
        var embed = new byte[7 * 6 * 4];

        var loaded = await checkpoints.LoadNewestValidAsync((checkpoint, ct) => checkpoint.ReadRegionAsync("embed", TensorRegion.Whole([7, 6]), embed, ct));

        Assert.Equal(100, loaded!.Step);
        Assert.Equal(Model(1)[0].Bytes, embed);
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("step-0000000200", warning);
        Assert.Contains("rank-00000.bin", warning);
    }

    [Fact]
    public async Task An_index_with_overlapping_or_missing_pieces_is_rejected_at_open_naming_the_tensor()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var committed = await WriteShardedAsync(checkpoints, 700, Model(seed: 15));
        var index = StoredJson.Deserialize<TensorIndex>(await store.GetBytesAsync("checkpoints/step-0000000700/tensors.json"), "tensors.json");
        var norm = index.Find("norm");
        var overlapping = norm with { Pieces = [norm.Pieces[0], norm.Pieces[1] with { Region = TensorRegion.Rows([5], 2, 2) }] };
        var uncovered = norm with { Pieces = [norm.Pieces[0]] };

        var overlap = await Assert.ThrowsAsync<CheckpointCorruptException>(() => OpenWithIndexAsync(store, checkpoints, committed, index, overlapping));
        var gap = await Assert.ThrowsAsync<CheckpointCorruptException>(() => OpenWithIndexAsync(store, checkpoints, committed, index, uncovered));

        Assert.Equal(TensorIndex.FileName, overlap.Shard);
        Assert.Contains("tensor 'norm': pieces 0 (rank-00000.bin) and 1 (rank-00001.bin) overlap in [2..3)", overlap.Message);
        Assert.Contains("tensor 'norm': the pieces hold 3 of its 5 elements", gap.Message);
    }

    [Fact]
    public async Task A_tensor_index_that_differs_from_its_digest_is_corrupt()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await WriteShardedAsync(checkpoints, 100, Model(seed: 1));
        await WriteShardedAsync(checkpoints, 200, Model(seed: 2));
        var json = await store.GetBytesAsync("checkpoints/step-0000000200/tensors.json");
        json[^3] = (byte)' ';
        await store.PutBytesAsync("checkpoints/step-0000000200/tensors.json", json);

        var e = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.OpenForStreamingAsync("step-0000000200"));

        Assert.Equal(TensorIndex.FileName, e.Shard);
        Assert.Contains("SHA-256", e.Message);
        Assert.Equal(100, (await checkpoints.LoadNewestValidAsync((_, _) => Task.CompletedTask))!.Step);
    }

    [Fact]
    public async Task Format_1_checkpoints_still_list_and_load_next_to_format_2_ones()
    {
        var checkpoints = Checkpoints(NewStore());
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await WriteShardedAsync(checkpoints, 200, Model(seed: 2));

        var listed = await checkpoints.ListCommittedAsync();
        var old = await checkpoints.OpenAsync("step-0000000100");

        Assert.Equal([(200L, 2), (100L, 1)], listed.Select(m => (m.Step, m.FormatVersion)));
        Assert.Null(old.Tensors);
        Assert.Equal(ModelBytes(100), await ReadShardAsync(old, "model.bin"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => old.ReadRegionAsync("embed", TensorRegion.Whole([7, 6]), new byte[168]));
        Assert.Contains("format 1: it has no tensor index", e.Message);
        Assert.Equal(TrainerState(200), await ReadShardAsync(await checkpoints.OpenAsync("step-0000000200"), TrainerStateShard));
    }

    [Fact]
    public async Task Reading_a_region_checks_the_tensor_the_region_and_the_destination()
    {
        var checkpoints = Checkpoints(NewStore());
        await WriteShardedAsync(checkpoints, 100, Model(seed: 1));
        var loaded = await checkpoints.OpenForStreamingAsync("step-0000000100");

        var name = await Assert.ThrowsAsync<ArgumentException>(() => loaded.ReadRegionAsync("lm_head", TensorRegion.Whole([1]), new byte[4]));
        var region = await Assert.ThrowsAsync<ArgumentException>(() => loaded.ReadRegionAsync("norm", TensorRegion.Rows([5], 3, 3), new byte[6]));
        var size = await Assert.ThrowsAsync<ArgumentException>(() => loaded.ReadRegionAsync("norm", TensorRegion.Rows([5], 0, 2), new byte[5]));

        Assert.Contains("no tensor 'lm_head'", name.Message);
        Assert.Contains("tensor 'norm': region [3..6) lies outside the shape [5]", region.Message);
        Assert.Contains("destination has 5 bytes; region [0..2) of tensor 'norm' (BFloat16) needs 4", size.Message);
    }

    /// <summary>Replaces one tensor in tensors.json and re-signs it in the manifest, as a buggy writer would commit it; then opens the checkpoint.</summary>
    private static async Task OpenWithIndexAsync(IObjectStore store, CheckpointStore checkpoints, CheckpointManifest committed, TensorIndex index, StoredTensor replaced)
    {
        var json = StoredJson.Serialize(index with { Tensors = [.. index.Tensors.Select(t => t.Name == replaced.Name ? replaced : t)] });
        var folder = $"checkpoints/{committed.Id}/";
        await store.PutBytesAsync(folder + TensorIndex.FileName, json);
        var manifest = committed with { Shards = [.. committed.Shards.Select(s => s.Name == TensorIndex.FileName ? new ShardDigest(s.Name, json.Length, Sha256(json)) : s)] };
        await store.PutBytesAsync(folder + CheckpointStore.ManifestName, StoredJson.Serialize(manifest));
        await checkpoints.OpenForStreamingAsync(committed.Id);
    }
}
