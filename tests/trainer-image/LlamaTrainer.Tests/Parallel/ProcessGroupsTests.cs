using LlamaOperator.Api.Resolution;
using LlamaTrainer.Collectives;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Parallel;

[Collection(ThreadRanksCollection.Name)]
public class ProcessGroupsTests
{
    /// <summary>
    /// tp=2 pp=2 dp=2 over 8 ranks as threads, ranks laid out [TP, CP, PP, DP] with TP innermost: every group holds the
    /// ranks the layout rule names, and a sum over each group adds exactly its members' ranks.
    /// </summary>
    [Fact]
    public void Every_rank_gets_the_world_and_its_tp_cp_pp_and_dp_groups_of_the_layout_rule()
    {
        var groups = ThreadRanks.Run(new ResolvedParallelism(2, 1, 2, 2), gang =>
        {
            var g = gang.Groups;
            var members = new[] { g.World, g.Tp, g.Cp, g.Pp, g.Dp }.Select(c => Enumerable.Range(0, c.Size).Select(c.GlobalRank).ToArray()).ToArray();
            var sums = new[] { g.World, g.Tp, g.Pp, g.Dp }.Select(c =>
            {
                using var value = tensor(new long[] { g.Rank });
                c.AllReduce(value);
                return value.item<long>();
            }).ToArray();
            return (g.Rank, Members: members, Sums: sums);
        });

        var rank5 = groups.Single(r => r.Rank == 5); // tp 1, pp 0, dp 1
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], rank5.Members[0]);
        Assert.Equal([4, 5], rank5.Members[1]);
        Assert.Equal([5], rank5.Members[2]);
        Assert.Equal([5, 7], rank5.Members[3]);
        Assert.Equal([1, 5], rank5.Members[4]);
        Assert.All(groups, r => Assert.Equal([28L, r.Members[1].Sum(), r.Members[3].Sum(), r.Members[4].Sum()], r.Sums));
    }
}
