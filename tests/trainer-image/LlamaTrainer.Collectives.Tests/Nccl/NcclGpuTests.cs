using System.Diagnostics;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>Real NCCL on two GPUs, ranks as threads; the check-nccl-gpu.sh script runs them. Timing-sensitive, so alone.</summary>
[CollectionDefinition(nameof(NcclGpuTests), DisableParallelization = true)]
public sealed class NcclGpuCollection;

[Collection(nameof(NcclGpuTests))]
public class NcclGpuTests
{
    private const int Size = NcclGpuFactAttribute.Devices;
    private const long Count = 1001;

    private static readonly ReduceOp[] Ops = [ReduceOp.Sum, ReduceOp.Max, ReduceOp.Min];

    [NcclGpuFact]
    public void All_reduce_gives_every_rank_the_reduction_in_every_type_and_op()
    {
        NcclThreadGang.Run(Size, member =>
        {
            using var world = member.World();
            foreach (var type in TestTensors.Types)
            {
                foreach (var op in Ops)
                {
                    using var data = TestTensors.Input(member.Rank, Count, type).to(member.Device);
                    world.AllReduce(data, op);
                    TestTensors.AssertMatches(TestTensors.Reduced(Size, Count, type, op), data, $"all-reduce {op} at rank {member.Rank}");
                }
            }
            return 0;
        });
    }

    [NcclGpuFact]
    public void Reduce_scatter_gives_each_rank_the_reduction_of_its_chunk()
    {
        NcclThreadGang.Run(Size, member =>
        {
            using var world = member.World();
            foreach (var type in TestTensors.Types)
            {
                using var input = TestTensors.Input(member.Rank, Size * Count, type).to(member.Device);
                using var output = zeros(Count, type, member.Device);
                world.ReduceScatter(input, output, ReduceOp.Sum);
                var expected = TestTensors.Reduced(Size, Size * Count, type, ReduceOp.Sum).Skip((int)(member.Rank * Count)).Take((int)Count).ToArray();
                TestTensors.AssertMatches(expected, output, $"reduce-scatter at rank {member.Rank}");
            }
            return 0;
        });
    }

    [NcclGpuFact]
    public void All_gather_and_broadcast_move_every_ranks_data_unchanged()
    {
        NcclThreadGang.Run(Size, member =>
        {
            using var world = member.World();
            foreach (var type in TestTensors.Types)
            {
                using var input = TestTensors.Input(member.Rank, Count, type).to(member.Device);
                using var gathered = zeros(Size * Count, type, member.Device);
                world.AllGather(input, gathered);
                var expected = Enumerable.Range(0, Size).SelectMany(r => TestTensors.Values(TestTensors.Input(r, Count, type))).ToArray();
                Assert.Equal(expected, TestTensors.Values(gathered));

                using var broadcast = TestTensors.Input(member.Rank, Count, type).to(member.Device);
                world.Broadcast(broadcast, root: 1);
                Assert.Equal(TestTensors.Values(TestTensors.Input(1, Count, type)), TestTensors.Values(broadcast));
            }
            world.Barrier();
            return 0;
        });
    }

    [NcclGpuFact]
    public void Send_and_receive_carry_a_tensor_both_ways()
    {
        NcclThreadGang.Run(Size, member =>
        {
            using var world = member.World();
            var peer = 1 - member.Rank;
            using var mine = TestTensors.Input(member.Rank, Count, ScalarType.BFloat16).to(member.Device);
            using var theirs = zeros(Count, ScalarType.BFloat16, member.Device);
            if (member.Rank == 0)
            {
                world.Send(mine, peer);
                world.Receive(theirs, peer);
            }
            else
            {
                world.Receive(theirs, peer);
                world.Send(mine, peer);
            }
            Assert.Equal(TestTensors.Values(TestTensors.Input(peer, Count, ScalarType.BFloat16)), TestTensors.Values(theirs));
            return 0;
        });
    }

    /// <summary>Both ranks send to each other in one start (a pipeline's crossing transfers): one NCCL group, no wait on each other.</summary>
    [NcclGpuFact]
    public void Started_transfers_cross_without_waiting()
    {
        NcclThreadGang.Run(Size, member =>
        {
            using var world = member.World();
            var peer = 1 - member.Rank;
            using var mine = TestTensors.Input(member.Rank, Count, ScalarType.Float32).to(member.Device);
            using var theirs = zeros(Count, ScalarType.Float32, member.Device);
            var pending = world.Start([Transfer.Send(mine, peer), Transfer.Receive(theirs, peer)]);
            pending.Wait(1);
            pending.Wait(0);
            Assert.Equal(TestTensors.Values(TestTensors.Input(peer, Count, ScalarType.Float32)), TestTensors.Values(theirs));
            return 0;
        });
    }

    [NcclGpuFact]
    public void A_silent_peer_times_the_all_reduce_out_and_the_abort_frees_the_gpu()
    {
        var timeout = TimeSpan.FromSeconds(3);
        var outcomes = NcclThreadGang.Run(Size, member =>
        {
            var world = member.World();
            if (member.Rank == 1)
            {
                // Connected, alive, but never joins the all-reduce.
                Thread.Sleep(timeout * 2);
                world.Dispose();
                return (Error: (Exception?)null, Took: TimeSpan.Zero, Then: (Exception?)null, After: 0.0);
            }
            using var data = ones(1 << 20, device: member.Device);
            var started = Stopwatch.GetTimestamp();
            var error = Record.Exception(() => world.AllReduce(data));
            var took = Stopwatch.GetElapsedTime(started);
            var then = Record.Exception(() => world.AllReduce(data));
            // Stream 0 runs again once the aborted kernel is gone.
            var after = (data + 1).sum().item<float>();
            world.Dispose();
            return (Error: error, Took: took, Then: then, After: (double)after);
        }, collectiveTimeout: timeout);
        var (error, took, then, after) = outcomes[0];
        var timedOut = Assert.IsType<CollectiveTimeoutException>(error);
        Assert.StartsWith("all-reduce in group world (global ranks 0, 1) (this is global rank 0) did not complete within 3 s", timedOut.Message);
        Assert.InRange(took, timeout, timeout + TimeSpan.FromSeconds(2));
        Assert.Contains("unusable after an earlier failure", Assert.IsType<InvalidOperationException>(then).Message);
        Assert.True(after > 0, "a kernel on the aborted rank's GPU did not run after the abort");
    }
}
