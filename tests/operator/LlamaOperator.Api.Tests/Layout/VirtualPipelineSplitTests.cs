using LlamaOperator.Api.Layout;

namespace LlamaOperator.Api.Tests.Layout;

public class VirtualPipelineSplitTests
{
    [Fact]
    public void Eight_layers_on_pp2_with_2_virtual_stages_give_each_rank_a_small_end_chunk_and_a_large_middle_one()
    {
        var split = VirtualPipelineSplit.Of(8, pp: 2, virtualStages: 2);

        Assert.Equal([1, 3, 3, 1], split.LayersPerVirtualStage);
        Assert.Equal([4, 4], split.LayersPerRank);
        // Rank 0 holds virtual stages 0 and 2 (layers 0 and 4-6), rank 1 stages 1 and 3 (layers 1-3 and 7).
        Assert.Equal([new PipelineChunk(0, 0, 1), new PipelineChunk(2, 4, 3)], split.ChunksOf(0));
        Assert.Equal([new PipelineChunk(1, 1, 3), new PipelineChunk(3, 7, 1)], split.ChunksOf(1));
    }

    [Fact]
    public void Each_rank_sums_its_chunks()
    {
        // 32 layers in 8 virtual stages: 3 5 5 4 4 4 4 3; rank r holds stages r and r + 4.
        var split = VirtualPipelineSplit.Of(32, pp: 4, virtualStages: 2);

        Assert.Equal([3, 5, 5, 4, 4, 4, 4, 3], split.LayersPerVirtualStage);
        Assert.Equal([7, 9, 9, 7], split.LayersPerRank);
    }

    [Fact]
    public void One_virtual_stage_is_the_plain_pipeline_split()
    {
        var split = VirtualPipelineSplit.Of(126, pp: 16, virtualStages: 1);

        Assert.Equal(PipelineLayerSplit.LayersPerStage(126, 16), split.LayersPerVirtualStage);
        Assert.Equal(split.LayersPerVirtualStage, split.LayersPerRank);
    }

    [Theory]
    [InlineData(8, 2, 5, "virtualStages", "found 2 * 5 = 10")]
    [InlineData(8, 1, 2, "virtualStages", "needs pp > 1, found 2")]
    [InlineData(4, 8, 2, "pp", "at most the model's layers (4) pipeline stages, found 8")]
    [InlineData(8, 2, 0, "virtualStages", "expected an integer >= 1, found 0")]
    public void An_impossible_split_names_the_field(int layers, int pp, int virtualStages, string field, string message)
    {
        var ex = Assert.Throws<PlanException>(() => VirtualPipelineSplit.Of(layers, pp, virtualStages, "spec.stages[0].parallelism"));

        Assert.Equal($"spec.stages[0].parallelism.{field}", ex.Field);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_given_split_must_have_pp_times_virtual_stages_stages_of_a_layer_or_more()
    {
        Assert.Equal([4, 4], VirtualPipelineSplit.FromVirtualStages(2, 2, [1, 3, 3, 1]).LayersPerRank);
        Assert.Throws<ArgumentException>(() => VirtualPipelineSplit.FromVirtualStages(2, 2, [4, 4]));
        Assert.Throws<ArgumentException>(() => VirtualPipelineSplit.FromVirtualStages(2, 2, [2, 3, 3, 0]));
    }
}
