using System.Text.Json.Nodes;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Progress;
using LlamaTrainer.Storage.Tests.Support;
using static LlamaTrainer.Storage.Tests.Checkpoints.CheckpointFixtures;

namespace LlamaTrainer.Storage.Tests.Progress;

/// <summary>Heartbeat and the operator's progress view, on every backend.</summary>
public abstract class ProgressBehaviour
{
    protected abstract IObjectStore NewStore();

    private static Heartbeat Beat(long step, TrainerState state = TrainerState.Running) => new()
    {
        Step = step,
        Tokens = step * 4096,
        Stage = "long-context",
        StageIndex = 1,
        LengthIndex = 0,
        SequenceLength = 16384,
        Loss = 2.1,
        LearningRate = 1e-4,
        TokensPerSecond = 5e5,
        Mfu = 0.38,
        Time = new DateTime(2026, 11, 26, 15, 0, 0, DateTimeKind.Utc),
        Pid = 4242,
        Host = "trainer-0",
        State = state,
    };

    [Fact]
    public async Task The_heartbeat_is_null_until_written_then_the_latest_write_is_read()
    {
        var heartbeats = new HeartbeatStore(NewStore());

        Assert.Null(await heartbeats.ReadAsync());
        await heartbeats.WriteAsync(Beat(10));
        await heartbeats.WriteAsync(Beat(20, TrainerState.Checkpointing));

        Assert.Equal(Beat(20, TrainerState.Checkpointing), await heartbeats.ReadAsync());
    }

    [Fact]
    public async Task The_heartbeat_is_camel_case_json_with_the_state_by_name_and_utc_time()
    {
        var store = NewStore();
        var local = new DateTime(2026, 11, 26, 16, 0, 0, DateTimeKind.Local);

        await new HeartbeatStore(store).WriteAsync(Beat(7) with { Time = local });
        var json = JsonNode.Parse(await store.GetBytesAsync(HeartbeatStore.Key))!;

        Assert.Equal("Running", (string)json["state"]!);
        Assert.Equal(7, (long)json["step"]!);
        Assert.Equal("trainer-0", (string)json["host"]!);
        Assert.Equal(local.ToUniversalTime(), (await new HeartbeatStore(store).ReadAsync())!.Time);
        Assert.EndsWith("Z", (string)json["time"]!);
    }

    [Fact]
    public async Task A_malformed_heartbeat_is_reported_naming_the_file()
    {
        var store = NewStore();
        await store.PutBytesAsync(HeartbeatStore.Key, """{"step":"soon"}"""u8.ToArray());

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new HeartbeatStore(store).ReadAsync());

        Assert.Contains(store.Location.TrimEnd('/') + "/heartbeat.json", e.Message);
    }

    [Fact]
    public async Task Progress_of_an_empty_store_is_all_absent()
    {
        var progress = await new ProgressReader(NewStore()).ReadAsync();

        Assert.Equal(new TrainingProgress(null, null, null, null, null), progress);
    }

    [Fact]
    public async Task Progress_shows_the_heartbeat_the_newest_committed_checkpoint_and_the_final_model()
    {
        var store = NewStore();
        var checkpoints = new CheckpointStore(store);
        await checkpoints.CommitAsync(Draft(100), ShardsFor(100));
        await checkpoints.CommitAsync(Draft(200), ShardsFor(200));
        await store.PutBytesAsync("checkpoints/step-0000000300/model.bin", [1]); // being written
        await new HeartbeatStore(store).WriteAsync(Beat(250));
        var reader = new ProgressReader(store);

        var running = await reader.ReadAsync();
        await new CheckpointStore(store, CheckpointStore.FinalFolder).CommitAsync(Draft(200), [Shard("model.bin", [1])]);
        var done = await reader.ReadAsync();

        Assert.Equal(250, running.Heartbeat!.Step);
        Assert.Equal(200, running.LatestCheckpoint!.Step);
        Assert.Equal(store.Location.TrimEnd('/') + "/checkpoints/step-0000000200", running.LatestCheckpointLocation);
        Assert.Null(running.FinalModel);
        Assert.Equal(store.Location.TrimEnd('/') + "/final/step-0000000200", done.FinalModelLocation);
    }
}
