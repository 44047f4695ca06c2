using LlamaOperator.Api.Layout;

namespace LlamaOperator.Api.Tests.Layout;

public class PipelineLayerSplitTests
{
    [Fact]
    public void Llama3_405b_on_pp16_puts_one_layer_less_on_the_first_and_last_stage()
    {
        var split = PipelineLayerSplit.LayersPerStage(126, 16);
        Assert.Equal(7, split[0]);
        Assert.Equal(7, split[15]);
        Assert.All(split[1..15], layers => Assert.Equal(8, layers));
    }

    [Theory]
    [InlineData(32, 4, new[] { 7, 9, 9, 7 })]
    [InlineData(80, 8, new[] { 9, 11, 11, 10, 10, 10, 10, 9 })]
    [InlineData(4, 4, new[] { 1, 1, 1, 1 })]
    [InlineData(5, 2, new[] { 2, 3 })]
    [InlineData(32, 1, new[] { 32 })]
    public void Splits_are_balanced_and_cover_every_layer(int layers, int pp, int[] expected)
    {
        var split = PipelineLayerSplit.LayersPerStage(layers, pp);
        Assert.Equal(expected, split);
        Assert.Equal(layers, split.Sum());
        Assert.All(split, n => Assert.True(n >= 1));
    }

    [Fact]
    public void More_stages_than_layers_is_rejected()
    {
        var ex = Assert.Throws<PlanException>(() => PipelineLayerSplit.LayersPerStage(4, 8, "spec.stages[0].parallelism.pp"));
        Assert.Equal("spec.stages[0].parallelism.pp", ex.Field);
        Assert.Contains("4 layers", ex.Message);
    }
}
