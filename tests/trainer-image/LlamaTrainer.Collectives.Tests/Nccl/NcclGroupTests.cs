using System.Diagnostics;
using LlamaTrainer.Collectives.Nccl;
using Result = LlamaTrainer.Collectives.Nccl.NcclNative.Result;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>The launch, poll and abort logic of one NCCL communicator, on raw buffers, against a scripted library.</summary>
public class NcclGroupTests
{
    private const string Name = "group world (global ranks 4, 5, 6, 7)";
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private static readonly NcclBuffer Floats = new(0xA000, 8, NcclNative.DataType.Float32);

    private static NcclGroup Connect(FakeNcclApi api, TimeSpan? timeout = null, int rank = 1) =>
        NcclGroup.Connect(api, api.NewUniqueId, Name, [4, 5, 6, 7], rank, cudaDevice: 3, timeout ?? TimeSpan.FromSeconds(5));

    [Fact]
    public void A_collective_that_completes_returns_after_waiting_for_its_event()
    {
        var api = new FakeNcclApi { EnqueueTurns = 3, CompleteAfterQueries = 5 };
        using var group = Connect(api);
        group.AllReduce(Floats, ReduceOp.Max);
        Assert.Equal(["init rank 1 of 4", "all-reduce a000->a000 count 8 Float32 Max", "record"], api.Calls);
        Assert.Equal(0, api.Aborts);
    }

    [Fact]
    public void Init_passes_the_unique_id_and_rank_and_waits_while_nccl_reports_in_progress()
    {
        var api = new FakeNcclApi { EnqueueTurns = 10 };
        using var group = Connect(api, rank: 2);
        Assert.Equal(api.NewUniqueId, api.InitUniqueId);
        Assert.Equal("init rank 2 of 4", api.Calls.Single());
        Assert.Equal((2, 4, 6), (group.Rank, group.Size, group.GlobalRank(2)));
    }

    [Fact]
    public void A_collective_that_never_completes_aborts_and_times_out_within_the_timeout_naming_group_and_operation()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        var api = new FakeNcclApi { CompleteAfterQueries = null };
        using var group = Connect(api, timeout);
        var started = Stopwatch.GetTimestamp();
        var error = Assert.Throws<CollectiveTimeoutException>(() => group.AllReduce(Floats, ReduceOp.Sum));
        var took = Stopwatch.GetElapsedTime(started);
        Assert.InRange(took, timeout, timeout + Slack);
        Assert.Equal($"all-reduce in {Name} (this is global rank 5) did not complete within 0.3 s: a peer is silent or never joined it; the communicator was aborted", error.Message);
        Assert.Equal(1, api.Aborts);
    }

    [Fact]
    public void An_init_that_never_completes_aborts_and_times_out_naming_the_group_rank_and_device()
    {
        var api = new FakeNcclApi { EnqueueTurns = int.MaxValue };
        var error = Assert.Throws<CollectiveTimeoutException>(() => Connect(api, TimeSpan.FromMilliseconds(200)));
        Assert.StartsWith($"connecting NCCL {Name} at global rank 5 (cuda:3) did not complete within 0.2 s: a member did not arrive", error.Message);
        Assert.Equal(1, api.Aborts);
        Assert.Equal(0, api.Destroys);
    }

    [Theory]
    [InlineData(6, "RemoteError", typeof(PeerFailureException), "a peer failed or its connection broke")]
    [InlineData(2, "SystemError", typeof(PeerFailureException), "a system call or the network failed (a peer may have died)")]
    [InlineData(8, "Timeout", typeof(CollectiveTimeoutException), "NCCL timed out")]
    [InlineData(3, "InternalError", typeof(CollectiveEngineException), "NCCL failed")]
    [InlineData(1, "UnhandledCudaError", typeof(CollectiveEngineException), "a CUDA call failed")]
    [InlineData(5, "InvalidUsage", typeof(CollectiveEngineException), "NCCL refused the call")]
    public void An_async_error_while_waiting_aborts_and_throws_its_failure(int code, string name, Type expected, string meaning)
    {
        var asyncError = (Result)code;
        Assert.Equal(name, asyncError.ToString());
        var api = new FakeNcclApi();
        using var group = Connect(api);
        api.CompleteAfterQueries = null;
        api.FailAfterTurns = 4;
        api.AsyncError = asyncError;
        var error = Assert.Throws(expected, () => group.ReduceScatter(Floats with { Count = 32 }, Floats, ReduceOp.Sum));
        Assert.Equal($"reduce-scatter in {Name} (this is global rank 5) failed: {meaning}: nccl says {asyncError} (last error detail)", error.Message);
        Assert.Equal(1, api.Aborts);
    }

    [Fact]
    public void A_launch_that_fails_at_once_aborts_and_throws()
    {
        var api = new FakeNcclApi();
        using var group = Connect(api);
        api.LaunchResult = Result.SystemError;
        var error = Assert.Throws<PeerFailureException>(() => group.Broadcast(Floats, root: 0));
        Assert.StartsWith($"broadcast in {Name} (this is global rank 5) failed: a system call", error.Message);
        Assert.Equal(1, api.Aborts);
    }

    [Fact]
    public void A_cuda_error_on_the_event_is_an_engine_failure()
    {
        var api = new FakeNcclApi { QueryError = 700 };
        using var group = Connect(api);
        var error = Assert.Throws<CollectiveEngineException>(() => group.AllReduce(Floats, ReduceOp.Sum));
        Assert.Equal($"all-reduce in {Name} (this is global rank 5) failed on the GPU: CUDA error 700", error.Message);
        Assert.Equal(1, api.Aborts);
    }

    [Fact]
    public void After_a_failure_the_group_refuses_every_call_and_dispose_does_not_destroy_the_aborted_communicator()
    {
        var api = new FakeNcclApi { CompleteAfterQueries = null };
        var group = Connect(api, TimeSpan.FromMilliseconds(50));
        Assert.Throws<CollectiveTimeoutException>(() => group.AllReduce(Floats, ReduceOp.Sum));
        var refused = Assert.Throws<InvalidOperationException>(() => group.AllGather(Floats, Floats with { Count = 32 }));
        Assert.StartsWith($"{Name} is unusable after an earlier failure (all-reduce in {Name}", refused.Message);
        Assert.EndsWith("rebuild the gang's groups", refused.Message);
        group.Dispose();
        Assert.Equal((1, 0, 1), (api.Aborts, api.Destroys, api.EventsDestroyed));
    }

    [Fact]
    public void Dispose_destroys_the_communicator_and_the_event_once()
    {
        var api = new FakeNcclApi();
        var group = Connect(api);
        group.Dispose();
        group.Dispose();
        Assert.Equal((0, 1, 1), (api.Aborts, api.Destroys, api.EventsDestroyed));
        Assert.Throws<ObjectDisposedException>(() => group.AllReduce(Floats, ReduceOp.Sum));
    }

    [Fact]
    public void Reduce_scatter_passes_the_output_count_and_needs_size_times_as_many_inputs()
    {
        var api = new FakeNcclApi();
        using var group = Connect(api);
        var input = new NcclBuffer(0xB000, 4 * 6, NcclNative.DataType.BFloat16);
        var output = new NcclBuffer(0xC000, 6, NcclNative.DataType.BFloat16);
        group.ReduceScatter(input, output, ReduceOp.Min);
        Assert.Contains("reduce-scatter b000->c000 count 6 BFloat16 Min", api.Calls);

        var error = Assert.Throws<ArgumentException>(() => group.ReduceScatter(input with { Count = 23 }, output, ReduceOp.Sum));
        Assert.StartsWith($"reduce-scatter in {Name}: input has 23 elements, expected 4 x output's 6", error.Message);
    }

    [Fact]
    public void All_gather_passes_the_input_count_and_needs_size_times_as_many_outputs()
    {
        var api = new FakeNcclApi();
        using var group = Connect(api);
        var input = new NcclBuffer(0xB000, 5, NcclNative.DataType.Int64);
        var output = new NcclBuffer(0xC000, 20, NcclNative.DataType.Int64);
        group.AllGather(input, output);
        Assert.Contains("all-gather b000->c000 count 5 Int64", api.Calls);

        var error = Assert.Throws<ArgumentException>(() => group.AllGather(input, output with { Count = 19 }));
        Assert.StartsWith($"all-gather in {Name}: output has 19 elements, expected 4 x input's 5", error.Message);
        var mixed = Assert.Throws<ArgumentException>(() => group.AllGather(input, output with { Type = NcclNative.DataType.Float64 }));
        Assert.StartsWith($"all-gather in {Name}: output is Float64, input is Int64; they must match", mixed.Message);
    }

    [Fact]
    public void Point_to_point_and_broadcast_check_the_peer_and_root()
    {
        var api = new FakeNcclApi();
        using var group = Connect(api);
        var operation = group.Post([(Floats, 3, true), (Floats, 0, false)]);
        // One NCCL group, so a pair that sends to each other cannot wait on each other; posting does not wait for the GPU.
        var start = api.Calls.IndexOf("group start");
        Assert.Equal(["group start", "send a000 count 8 Float32 to 3", "receive a000 count 8 Float32 from 0", "group end"], api.Calls.Skip(start));
        group.AwaitStream(operation);
        Assert.Equal("record", api.Calls[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Post([(Floats, 1, true)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Post([(Floats, 4, false)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Broadcast(Floats, root: -1));
        Assert.Equal(0, api.Aborts);
    }
}
