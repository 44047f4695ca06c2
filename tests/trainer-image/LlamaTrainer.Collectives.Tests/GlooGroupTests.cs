using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests;

public class GlooGroupTests
{
    [Fact]
    public void Two_data_parallel_and_two_tensor_parallel_groups_of_a_world_of_4_reduce_independently()
    {
        // Layout [TP=2, DP=2], TP innermost: TP groups {0,1} {2,3}, DP groups {0,2} {1,3}.
        var results = ThreadGang.Run(4, member =>
        {
            var r = member.Rank;
            var tp = member.Backend.CreateGroup($"tp-{r / 2}", [r / 2 * 2, r / 2 * 2 + 1]);
            var dp = member.Backend.CreateGroup($"dp-{r % 2}", [r % 2, r % 2 + 2]);
            using var world = member.World();
            using var viaTp = full(3, (double)(1 << r), dtype: ScalarType.Float64);
            using var viaDp = full(3, (double)(1 << r), dtype: ScalarType.Float64);
            using var viaWorld = full(3, (double)(1 << r), dtype: ScalarType.Float64);
            tp.AllReduce(viaTp);
            dp.AllReduce(viaDp);
            world.AllReduce(viaWorld);
            return (Tp: viaTp[0].item<double>(), Dp: viaDp[0].item<double>(), World: viaWorld[0].item<double>(),
                TpRank: tp.Rank, DpGlobal: dp.GlobalRank(1), tp.Name);
        });
        // Rank r contributes 2^r, so each sum names its members.
        Assert.Equal([3.0, 3, 12, 12], results.Select(x => x.Tp));
        Assert.Equal([5.0, 10, 5, 10], results.Select(x => x.Dp));
        Assert.All(results, x => Assert.Equal(15.0, x.World));
        Assert.Equal([0, 1, 0, 1], results.Select(x => x.TpRank));
        Assert.Equal([2, 3, 2, 3], results.Select(x => x.DpGlobal));
        Assert.Equal("group tp-1 (global ranks 2, 3)", results[3].Name);
    }

    [Fact]
    public void A_rank_outside_the_group_a_reused_name_or_a_rank_beyond_the_world_is_refused()
    {
        ThreadGang.Run(2, member =>
        {
            var other = 1 - member.Rank;
            var outside = Assert.Throws<ArgumentException>(() => member.Backend.CreateGroup("solo", [other]));
            Assert.Contains($"global rank {member.Rank} is not in group solo (global ranks {other}); only members create a group", outside.Message);
            var beyond = Assert.Throws<ArgumentException>(() => member.Backend.CreateGroup("big", [0, 1, 2]));
            Assert.Contains("global rank 2, outside the world of 2", beyond.Message);
            using var world = member.World();
            var reused = Assert.Throws<ArgumentException>(() => member.World());
            Assert.Contains("group name world is already used", reused.Message);
            return 0;
        });
    }

    [Fact]
    public void A_group_of_one_rank_keeps_its_tensors()
    {
        ThreadGang.Run(1, member =>
        {
            using var world = member.World();
            using var data = arange(5, dtype: ScalarType.Float32);
            using var gathered = empty(5);
            using var scattered = empty(5);
            world.AllReduce(data);
            world.AllGather(data, gathered);
            world.ReduceScatter(data, scattered);
            world.Broadcast(data, 0);
            world.Barrier();
            Assert.Equal([0f, 1, 2, 3, 4], gathered.data<float>().ToArray());
            Assert.Equal([0f, 1, 2, 3, 4], scattered.data<float>().ToArray());
            return 0;
        });
    }
}
