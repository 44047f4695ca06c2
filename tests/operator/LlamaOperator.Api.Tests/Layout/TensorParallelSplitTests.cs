using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Tests.Layout;

public class TensorParallelSplitTests
{
    [Theory]
    [InlineData("llama3-8b", 8)]
    [InlineData("llama3-405b", 8)]
    [InlineData("tiny", 4)]
    public void The_primary_boxes_of_every_rank_hold_each_parameter_exactly_once(string preset, int tp)
    {
        var model = ModelPresets.All[preset];
        var ranks = Enumerable.Range(0, tp).Select(r => TensorParallelSplit.Of(model, tp, r).Parameters()).ToList();

        Assert.Equal(model.ParameterCount, ranks.Sum(parameters => parameters.Where(p => p.Primary).Sum(p => p.Elements)));
        Assert.All(ranks, parameters => Assert.Equal(ranks[0].Select(p => p.Name), parameters.Select(p => p.Name)));
    }

    [Fact]
    public void Kv_heads_split_when_tp_divides_them_and_are_replicated_when_tp_is_a_multiple()
    {
        var model = ModelPresets.All["llama3-8b"]; // 32 heads, 8 K/V heads
        var tp8 = TensorParallelSplit.Of(model, 8, 5);
        var tp16 = Enumerable.Range(0, 16).Select(r => TensorParallelSplit.Of(model with { Heads = 64, Dim = 8192 }, 16, r)).ToList();

        Assert.Equal((4, 1, 1, 5), (tp8.Heads, tp8.KvHeads, tp8.KvReplicas, tp8.FirstKvHead));
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7], tp16.Select(s => s.FirstKvHead));
        var wk = tp16.Select(s => s.Parameters().Single(p => p.Name == "layers.0.attention.wk.weight")).ToList();
        Assert.Equal([true, false], wk.Take(2).Select(p => p.Primary));
        Assert.Equal(wk[0].Start, wk[1].Start);
    }

    [Fact]
    public void The_vocabulary_splits_in_ceil_sized_rows_so_it_need_not_divide_by_tp()
    {
        var model = ModelPresets.All["llama3-8b"] with { VocabSize = 100_277 };

        var rows = Enumerable.Range(0, 8).Select(r => TensorParallelSplit.Of(model, 8, r).Vocab).ToList();

        Assert.Equal(Enumerable.Repeat(12_535L, 7).Append(12_532), rows.Select(r => r.Count));
        Assert.Equal(100_277, rows.Sum(r => r.Count));
    }
}
