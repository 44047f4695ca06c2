using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Tests.Support;
using static LlamaTrainer.Storage.Tests.Checkpoints.CheckpointFixtures;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

/// <summary>The checkpoint commit protocol, run against every backend so that it is proven identical on each.</summary>
public abstract class CheckpointStoreBehaviour
{
    private readonly CapturedLog _log = new();

    /// <summary>A new, empty store.</summary>
    protected abstract IObjectStore NewStore();

    private CheckpointStore Checkpoints(IObjectStore store) => new(store, logger: _log.Logger);

    [Fact]
    public async Task A_commit_round_trips_the_manifest_and_the_shard_bytes()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var model = StoreContent.RandomBytes(3_000_000, seed: 5);
        var state = """{"rng":[1,2,3]}"""u8.ToArray();
        var draft = Draft(1200) with
        {
            Stage = "long-context",
            StageIndex = 1,
            LengthIndex = 2,
            SequenceLength = 32768,
            StageEnd = true,
            Evals = new CheckpointEvals
            {
                ShortContextLoss = 2.31,
                ShortContextLength = 8192,
                BaselineShortContextLoss = 2.3,
                Needle = [new NeedleResult(32768, 0.96, 50)],
            },
            DataCursor = "shard-7:offset-123",
            Extra = new Dictionary<string, string> { ["gitSha"] = "abc123" },
        };

        var committed = await checkpoints.CommitAsync(draft, [Shard("model.bin", model), Shard("state.json", state)]);
        var opened = await checkpoints.OpenAsync("step-0000001200");

        Assert.Equal("step-0000001200", committed.Id);
        Assert.Equal(
            [new ShardDigest("model.bin", model.Length, Sha256(model)), new ShardDigest("state.json", state.Length, Sha256(state))],
            opened.Manifest.Shards);
        Assert.Equal(StoredJson.Serialize(committed), StoredJson.Serialize(opened.Manifest));
        Assert.Equal(32768, opened.Manifest.Evals!.Needle[0].Length);
        Assert.Equal("abc123", opened.Manifest.Extra["gitSha"]);
        Assert.Equal(DateTimeKind.Utc, opened.Manifest.CreatedAt.Kind);
        Assert.Equal(model, await ReadShardAsync(opened, "model.bin"));
        Assert.Equal(state, await ReadShardAsync(opened, "state.json"));
        Assert.Equal(checkpoints.LocationOf(committed.Id), opened.Location);
        Assert.Equal(store.Location.TrimEnd('/') + "/checkpoints/step-0000001200", opened.Location);
    }

    [Fact]
    public async Task A_checkpoint_is_invisible_until_its_manifest_is_written_after_the_last_shard()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var release = new TaskCompletionSource();
        var halfWritten = new TaskCompletionSource();
        var slow = new CheckpointShard("model.bin", async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[100_000], ct);
            halfWritten.SetResult();
            await release.Task;
            await stream.WriteAsync(new byte[100_000], ct);
        });

        var commit = checkpoints.CommitAsync(Draft(100), [slow, Shard("optimizer.bin", [1, 2, 3])]);
        await halfWritten.Task;
        await Task.Delay(200); // let the other shard finish
        Assert.Empty(await checkpoints.ListCommittedAsync());
        Assert.Null(await checkpoints.OpenNewestValidAsync());
        Assert.False(await store.ExistsAsync("checkpoints/step-0000000100/manifest.json"));

        release.SetResult();
        await commit;
        Assert.Equal(200_000, Assert.Single(await checkpoints.ListCommittedAsync()).Shards.Single(s => s.Name == "model.bin").Bytes);
    }

    [Fact]
    public async Task A_writer_that_crashes_mid_shard_fails_the_commit_and_leaves_nothing_committed()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        var crashing = new CheckpointShard("model.bin", async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[1 << 20], ct);
            throw new InvalidOperationException("GPU fell off the bus");
        });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoints.CommitAsync(Draft(200), [crashing, Shard("rng.bin", [1])]));

        Assert.Equal("GPU fell off the bus", e.Message);
        Assert.Equal(["step-0000000100"], (await checkpoints.ListCommittedAsync()).Select(m => m.Id));
        Assert.Equal(100, (await checkpoints.OpenNewestValidAsync())!.Manifest.Step);
        Assert.False(await store.ExistsAsync("checkpoints/step-0000000200/model.bin"));
    }

    [Fact]
    public async Task A_failing_shard_stops_the_other_shards_of_the_commit_early()
    {
        var checkpoints = Checkpoints(NewStore());
        const long cap = 256L << 20;
        long siblingBytes = 0;
        var sibling = new CheckpointShard("optimizer.bin", async (stream, ct) =>
        {
            var chunk = new byte[64 << 10];
            while (siblingBytes < cap)
            {
                await stream.WriteAsync(chunk, ct);
                siblingBytes += chunk.Length;
            }
        });
        var crashing = new CheckpointShard("model.bin", async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[1 << 20], ct);
            throw new InvalidOperationException("out of host memory");
        });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoints.CommitAsync(Draft(100), [sibling, crashing]));

        Assert.Equal("out of host memory", e.Message);
        Assert.True(siblingBytes < cap, $"the sibling shard wrote all {siblingBytes} bytes");
        Assert.Empty(await checkpoints.ListCommittedAsync());
    }

    [Fact]
    public async Task Committed_checkpoints_are_listed_newest_first_ignoring_uncommitted_and_foreign_folders()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        foreach (var step in new[] { 900, 10_000, 50 })
        {
            await checkpoints.CommitAsync(Draft(step), ShardsFor(step));
        }
        await store.PutBytesAsync("checkpoints/step-0000020000/model.bin", [1]); // crashed before its manifest
        await store.PutBytesAsync("checkpoints/notes/readme.txt", [1]);
        await store.PutBytesAsync("checkpoints/step-12/manifest.json", [1]);

        var listed = await checkpoints.ListCommittedAsync();

        Assert.Equal([10_000L, 900, 50], listed.Select(m => m.Step));
        Assert.Equal("step-0000010000", (await checkpoints.NewestCommittedAsync())!.Id);
    }

    [Fact]
    public async Task A_shard_with_a_wrong_checksum_makes_the_newest_valid_fall_back_and_log_the_checkpoint_and_shard()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        var flipped = ModelBytes(200);
        flipped[12_345] ^= 0x01;
        await store.PutBytesAsync("checkpoints/step-0000000200/model.bin", flipped);

        var newest = await checkpoints.OpenNewestValidAsync();

        Assert.Equal(100, newest!.Manifest.Step);
        Assert.Equal(ModelBytes(100), await ReadShardAsync(newest, "model.bin"));
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("step-0000000200", warning);
        Assert.Contains("model.bin", warning);
        Assert.Contains("SHA-256", warning);
    }

    [Fact]
    public async Task A_missing_shard_makes_the_newest_valid_fall_back()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        await store.DeleteAsync("checkpoints/step-0000000200/optimizer.bin");

        var newest = await checkpoints.OpenNewestValidAsync();

        Assert.Equal(100, newest!.Manifest.Step);
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains("step-0000000200", warning);
        Assert.Contains("optimizer.bin", warning);
        Assert.Contains("missing", warning);
    }

    [Fact]
    public async Task With_every_checkpoint_corrupt_there_is_no_newest_valid()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await store.PutBytesAsync("checkpoints/step-0000000100/model.bin", [1, 2, 3]);

        Assert.Null(await checkpoints.OpenNewestValidAsync());
        Assert.Null(await checkpoints.LoadNewestValidAsync((_, _) => Task.CompletedTask));
    }

    [Fact]
    public async Task Opening_a_corrupt_checkpoint_by_id_throws_naming_the_shard()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(300), ShardsFor(300));
        var truncated = OptimizerBytes(300)[..^1];
        await store.PutBytesAsync("checkpoints/step-0000000300/optimizer.bin", truncated);

        var e = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.OpenAsync("step-0000000300"));

        Assert.Equal("optimizer.bin", e.Shard);
        Assert.Equal("step-0000000300", e.CheckpointId);
        Assert.Contains($"has {truncated.Length} bytes; the manifest says {truncated.Length + 1}", e.Message);
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => checkpoints.OpenAsync("step-0000000400"));
    }

    [Fact]
    public async Task A_streamed_shard_throws_on_the_read_that_completes_corrupt_bytes()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoint(checkpoints);
        var flipped = ModelBytes(100);
        flipped[0] ^= 0xFF;
        await store.PutBytesAsync("checkpoints/step-0000000100/model.bin", flipped);

        var streaming = await checkpoints.OpenForStreamingAsync("step-0000000100");
        var e = await Assert.ThrowsAsync<CheckpointCorruptException>(() => ReadShardAsync(streaming, "model.bin"));

        Assert.Equal("model.bin", e.Shard);
        Assert.Equal(OptimizerBytes(100), await ReadShardAsync(streaming, "optimizer.bin"));

        static Task checkpoint(CheckpointStore c) => c.CommitAsync(Draft(100), ShardsFor(100));
    }

    [Fact]
    public async Task Loading_reads_each_shard_once_and_reloads_the_previous_checkpoint_when_corruption_shows_mid_load()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        var flipped = OptimizerBytes(200);
        flipped[^1] ^= 0x01;
        await store.PutBytesAsync("checkpoints/step-0000000200/optimizer.bin", flipped);
        var attempts = new List<long>();
        byte[]? model = null;

        var loaded = await checkpoints.LoadNewestValidAsync(async (checkpoint, _) =>
        {
            attempts.Add(checkpoint.Manifest.Step);
            model = await ReadShardAsync(checkpoint, "model.bin");
            await ReadShardAsync(checkpoint, "optimizer.bin");
        });

        Assert.Equal(100, loaded!.Step);
        Assert.Equal([200L, 100], attempts);
        Assert.Equal(ModelBytes(100), model);
        Assert.Contains("optimizer.bin", Assert.Single(_log.Warnings));
    }

    [Fact]
    public async Task Loading_verifies_the_shards_the_loader_did_not_read()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        var flipped = OptimizerBytes(200);
        flipped[7] ^= 0x01;
        await store.PutBytesAsync("checkpoints/step-0000000200/optimizer.bin", flipped);

        var loaded = await checkpoints.LoadNewestValidAsync(async (checkpoint, _) => await ReadShardAsync(checkpoint, "model.bin"));

        Assert.Equal(100, loaded!.Step);
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_and_every_stage_end_and_clears_old_uncommitted_leftovers()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        foreach (var step in new[] { 100, 200, 300, 400, 500 })
        {
            await checkpoints.CommitAsync(Draft(step, stageEnd: step == 100), ShardsFor(step));
        }
        await store.PutBytesAsync("checkpoints/step-0000000150/model.bin", [1]); // crashed long ago
        await store.PutBytesAsync("checkpoints/step-0000000600/model.bin", [1]); // being written now

        await checkpoints.PruneAsync(keep: 2);

        Assert.Equal([500L, 400, 100], (await checkpoints.ListCommittedAsync()).Select(m => m.Step));
        var folders = (await store.ListAllAsync("checkpoints/")).Select(o => o.Key.Split('/')[1]).Distinct();
        Assert.Equal(["step-0000000100", "step-0000000400", "step-0000000500", "step-0000000600"], folders);
        Assert.Equal(ModelBytes(100), await ReadShardAsync(await checkpoints.OpenAsync("step-0000000100"), "model.bin"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => checkpoints.PruneAsync(keep: 0));
    }

    [Fact]
    public async Task Committing_a_step_again_replaces_the_earlier_attempt()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));

        await checkpoints.CommitAsync(Draft(100) with { StageTokens = 1 }, [Shard("model.bin", [9, 9])]);

        var only = await checkpoints.OpenAsync("step-0000000100");
        Assert.Equal(1, only.Manifest.StageTokens);
        Assert.Equal([9, 9], await ReadShardAsync(only, "model.bin"));
    }

    [Fact]
    public async Task The_final_model_commits_under_its_own_root_with_the_same_scheme()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        var final = new CheckpointStore(store, CheckpointStore.FinalFolder, _log.Logger);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));

        await final.CommitAsync(Draft(100), [Shard("model.bin", [4, 2])]);

        Assert.True(await store.ExistsAsync("final/step-0000000100/manifest.json"));
        Assert.Equal([4, 2], await ReadShardAsync((await final.OpenNewestValidAsync())!, "model.bin"));
        Assert.Equal(ModelBytes(100), await ReadShardAsync((await checkpoints.OpenNewestValidAsync())!, "model.bin"));
        Assert.EndsWith("/final/step-0000000100", final.LocationOf("step-0000000100"));
    }

    [Fact]
    public async Task An_unreadable_manifest_is_skipped_with_a_warning_and_named_when_opened()
    {
        var store = NewStore();
        var checkpoints = Checkpoints(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        await store.PutBytesAsync("checkpoints/step-0000000200/manifest.json", "{ not json"u8.ToArray());

        Assert.Equal(100, (await checkpoints.OpenNewestValidAsync())!.Manifest.Step);
        Assert.Contains("step-0000000200/manifest.json", _log.Warnings[0]);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => checkpoints.OpenAsync("step-0000000200"));
        Assert.Contains("checkpoints/step-0000000200/manifest.json", e.Message);
    }
}
