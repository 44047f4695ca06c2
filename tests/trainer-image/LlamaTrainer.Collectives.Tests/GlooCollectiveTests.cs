using static LlamaTrainer.Collectives.Tests.TestTensors;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests;

public class GlooCollectiveTests
{
    // Not a multiple of 8, so that segments and chunks do not divide evenly.
    private const long Count = 1037;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void All_reduce_gives_every_rank_the_sum_max_and_min_of_all_inputs_in_every_type(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            foreach (var dtype in Types)
            {
                foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Max, ReduceOp.Min })
                {
                    using var data = Input(member.Rank, Count, dtype);
                    world.AllReduce(data, op);
                    AssertMatches(Reduced(size, Count, dtype, op), data, $"all-reduce {op} at rank {member.Rank}");
                }
            }
            return 0;
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Reduce_scatter_gives_rank_r_the_reduction_of_chunk_r_and_leaves_the_input_alone(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            foreach (var dtype in Types)
            {
                foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Max, ReduceOp.Min })
                {
                    // Twice: the second run reuses the cached algorithm.
                    for (var repeat = 0; repeat < 2; repeat++)
                    {
                        using var input = Input(member.Rank, size * Count, dtype);
                        using var before = input.clone();
                        using var output = empty(Count, dtype: dtype);
                        world.ReduceScatter(input, output, op);
                        AssertMatches(Reduced(size, Count, dtype, op, offset: member.Rank * Count), output, $"reduce-scatter {op} at rank {member.Rank}");
                        Assert.True(Same(input, before), "reduce-scatter changed its input");
                    }
                }
            }

            // Gloo's halving-doubling sends its last "buffer free" notices without waiting: a rank closing its group
            // right after could drop one a peer still waits for (the trainer, too, ends with a barrier).
            world.Barrier();
            return 0;
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void All_gather_concatenates_every_rank_s_input_in_rank_order(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            foreach (var dtype in Types)
            {
                using var input = Input(member.Rank, Count, dtype);
                using var output = empty(size * Count, dtype: dtype);
                world.AllGather(input, output);
                for (var rank = 0; rank < size; rank++)
                {
                    using var chunk = output.narrow(0, rank * Count, Count);
                    using var expected = Input(rank, Count, dtype);
                    Assert.True(Same(chunk, expected), $"{dtype} chunk {rank} at rank {member.Rank} is not rank {rank}'s input");
                }
            }
            return 0;
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Broadcast_gives_every_rank_the_root_s_tensor(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            foreach (var dtype in Types)
            {
                var root = size - 1;
                using var data = Input(member.Rank, Count, dtype);
                world.Broadcast(data, root);
                using var expected = Input(root, Count, dtype);
                Assert.True(Same(data, expected), $"{dtype} at rank {member.Rank} is not root {root}'s tensor");
            }
            return 0;
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Send_and_receive_exchange_tensors_between_pairs_in_order(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            var peer = member.Rank ^ 1;
            foreach (var dtype in Types)
            {
                // Two messages each way: they arrive in the order sent.
                for (var message = 0; message < 2; message++)
                {
                    using var mine = Input(member.Rank, Count, dtype, offset: message);
                    using var received = empty(Count, dtype: dtype);
                    if (member.Rank % 2 == 0)
                    {
                        world.Send(mine, peer);
                        world.Receive(received, peer);
                    }
                    else
                    {
                        world.Receive(received, peer);
                        world.Send(mine, peer);
                    }
                    using var expected = Input(peer, Count, dtype, offset: message);
                    Assert.True(Same(received, expected), $"{dtype} message {message} from rank {peer} at rank {member.Rank}");
                }
            }
            return 0;
        });
    }

    /// <summary>
    /// A ring where every rank sends two messages to the next and receives two from the previous in one start, the
    /// receives first, waited for in reverse order (a pipeline's crossing sends): nobody waits on anybody, and each
    /// direction's messages meet in the order started, also across starts.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Started_transfers_cross_a_ring_without_waiting_and_meet_in_order(int size)
    {
        ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            var (next, previous) = ((member.Rank + 1) % size, (member.Rank + size - 1) % size);
            for (var round = 0; round < 2; round++)
            {
                using var first = Input(member.Rank, Count, ScalarType.Float32, offset: 2 * round);
                using var second = Input(member.Rank, Count, ScalarType.Float32, offset: (2 * round) + 1);
                using var firstIn = empty(Count);
                using var secondIn = empty(Count);
                var pending = world.Start([Transfer.Receive(firstIn, previous), Transfer.Receive(secondIn, previous), Transfer.Send(first, next), Transfer.Send(second, next)]);
                for (var i = 3; i >= 0; i--)
                {
                    pending.Wait(i);
                }

                using var expectedFirst = Input(previous, Count, ScalarType.Float32, offset: 2 * round);
                using var expectedSecond = Input(previous, Count, ScalarType.Float32, offset: (2 * round) + 1);
                Assert.True(Same(firstIn, expectedFirst) && Same(secondIn, expectedSecond), $"round {round} at rank {member.Rank}");
                Assert.Throws<InvalidOperationException>(() => pending.Wait(0));
            }

            return 0;
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Barrier_returns_only_after_every_rank_has_arrived(int size)
    {
        var arrived = new bool[size];
        var seen = ThreadGang.Run(size, member =>
        {
            using var world = member.World();
            // Later ranks arrive later.
            Thread.Sleep(100 * member.Rank);
            Volatile.Write(ref arrived[member.Rank], true);
            world.Barrier();
            return Enumerable.Range(0, size).All(r => Volatile.Read(ref arrived[r]));
        });
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void A_strided_view_or_an_unsupported_type_is_refused_with_the_reason()
    {
        ThreadGang.Run(1, member =>
        {
            using var world = member.World();
            using var matrix = zeros(4, 4);
            using var column = matrix.t();
            var strided = Assert.Throws<ArgumentException>(() => world.AllReduce(column));
            Assert.Contains("not contiguous", strided.Message);

            using var ints = zeros(4, dtype: ScalarType.Int32);
            var type = Assert.Throws<ArgumentException>(() => world.AllReduce(ints));
            Assert.Contains("Int32", type.Message);

            using var input = zeros(6);
            using var output = zeros(4);
            var sizes = Assert.Throws<ArgumentException>(() => world.AllGather(input, output));
            Assert.Contains("expected 1 x input's 6", sizes.Message);
            return 0;
        });
    }

    [Fact]
    public void A_narrowed_contiguous_view_is_reduced_in_place_at_its_offset()
    {
        var results = ThreadGang.Run(2, member =>
        {
            using var world = member.World();
            using var whole = full(8, member.Rank + 1.0f);
            using var tail = whole.narrow(0, 4, 4);
            world.AllReduce(tail);
            return whole.data<float>().ToArray();
        });
        // The head stays each rank's own; the tail is the sum 1 + 2.
        Assert.Equal([1f, 1f, 1f, 1f, 3f, 3f, 3f, 3f], results[0]);
        Assert.Equal([2f, 2f, 2f, 2f, 3f, 3f, 3f, 3f], results[1]);
    }
}
