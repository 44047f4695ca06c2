using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Api.Tests.Layout;

public class ParallelLayoutTests
{
    private static ParallelLayout Layout(int tp, int cp, int pp, int dp, int gpusPerNode) =>
        ParallelLayout.Create(new ResolvedParallelism(tp, cp, pp, dp), gpusPerNode, "spec.stages[0].parallelism");

    [Fact]
    public void Paper_example_pairs_share_the_expected_groups()
    {
        // Llama 3 paper: TP=2, CP=2, PP=2, DP=2: GPU0/GPU1 share TP, GPU0/GPU2 CP, GPU0/GPU4 PP, GPU0/GPU8 DP.
        var layout = Layout(2, 2, 2, 2, gpusPerNode: 8);

        Assert.Equal([0L, 1L], layout.GroupOf(ParallelDimension.Tp, 0).Members());
        Assert.Equal([0L, 2L], layout.GroupOf(ParallelDimension.Cp, 0).Members());
        Assert.Equal([0L, 4L], layout.GroupOf(ParallelDimension.Pp, 0).Members());
        Assert.Equal([0L, 8L], layout.GroupOf(ParallelDimension.Dp, 0).Members());
        Assert.Equal(new RankCoordinates(1, 1, 1, 1), layout.CoordinatesOf(15));
        Assert.True(layout.GroupOf(ParallelDimension.Pp, 6).Contains(2));
        Assert.False(layout.GroupOf(ParallelDimension.Pp, 6).Contains(4));
        Assert.Equal(2, layout.Nodes);
    }

    [Fact]
    public void Rank_formula_round_trips_over_every_rank()
    {
        var layout = Layout(2, 3, 2, 4, gpusPerNode: 2);
        for (long rank = 0; rank < layout.WorldSize; rank++)
        {
            var c = layout.CoordinatesOf(rank);
            Assert.Equal(rank, c.Tp + (2 * (c.Cp + (3 * (c.Pp + (2 * c.Dp))))));
            Assert.Equal(rank, layout.RankOf(c));
        }
    }

    [Theory]
    [InlineData(ParallelDimension.Tp)]
    [InlineData(ParallelDimension.Cp)]
    [InlineData(ParallelDimension.Pp)]
    [InlineData(ParallelDimension.Dp)]
    public void Groups_partition_the_ranks_and_vary_only_their_own_coordinate(ParallelDimension dimension)
    {
        var layout = Layout(2, 3, 2, 4, gpusPerNode: 2);
        var seen = new HashSet<long>();
        for (long g = 0; g < layout.GroupCount(dimension); g++)
        {
            var group = layout.Group(dimension, g);
            Assert.Equal(layout.Degree(dimension), group.Size);
            var first = layout.CoordinatesOf(group[0]);
            foreach (var rank in group.Members())
            {
                Assert.True(seen.Add(rank), $"rank {rank} is in two {dimension} groups");
                Assert.Equal(group, layout.GroupOf(dimension, rank));
                var c = layout.CoordinatesOf(rank);
                Assert.Equal(Without(first, dimension), Without(c, dimension));
            }
        }

        Assert.Equal(layout.WorldSize, seen.Count);
    }

    [Fact]
    public void Node_and_local_rank_follow_gpus_per_node()
    {
        var layout = Layout(8, 1, 16, 64, gpusPerNode: 8);
        Assert.Equal(1024, layout.Nodes);
        Assert.Equal(5, layout.NodeOf(5 * 8 + 3));
        Assert.Equal(3, layout.LocalRankOf(5 * 8 + 3));
    }

    [Fact]
    public void A_node_holding_several_replicas_is_labelled_with_its_first()
    {
        // tp*cp*pp = 2 < 8 GPUs per node: node 1 holds ranks 8..15, replicas 4..7.
        var layout = Layout(2, 1, 1, 8, gpusPerNode: 8);
        Assert.Equal(0, layout.DpReplicaOfNode(0));
        Assert.Equal(4, layout.DpReplicaOfNode(1));
    }

    [Fact]
    public void Tp_that_does_not_divide_a_node_is_rejected_with_the_field()
    {
        var ex = Assert.Throws<PlanException>(() => Layout(3, 1, 1, 8, gpusPerNode: 8));
        Assert.Equal("spec.stages[0].parallelism.tp", ex.Field);
        Assert.Contains("must divide spec.cluster.gpusPerNode=8", ex.Message);
    }

    [Fact]
    public void World_size_that_leaves_a_node_half_used_is_rejected()
    {
        var ex = Assert.Throws<PlanException>(() => Layout(2, 1, 1, 3, gpusPerNode: 8));
        Assert.Equal("spec.stages[0].parallelism", ex.Field);
        Assert.Contains("world size tp*cp*pp*dp = 6", ex.Message);
    }

    [Fact]
    public void Zero_degree_is_rejected_with_the_field()
    {
        var ex = Assert.Throws<PlanException>(() => Layout(1, 0, 1, 8, gpusPerNode: 8));
        Assert.Equal("spec.stages[0].parallelism.cp", ex.Field);
    }

    private static (int, int, int, int) Without(RankCoordinates c, ParallelDimension dimension) => dimension switch
    {
        ParallelDimension.Tp => (0, c.Cp, c.Pp, c.Dp),
        ParallelDimension.Cp => (c.Tp, 0, c.Pp, c.Dp),
        ParallelDimension.Pp => (c.Tp, c.Cp, 0, c.Dp),
        _ => (c.Tp, c.Cp, c.Pp, 0),
    };
}
