using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class AttentionTests
{
    [Fact]
    public void Grouped_query_attention_equals_multi_head_attention_with_each_kv_head_repeated()
    {
        manual_seed(4);
        var gqaConfig = TinyConfigs.Gqa();                     // 4 query heads, 2 K/V heads
        var mhaConfig = gqaConfig with { KvHeads = gqaConfig.Heads };
        using var gqa = new Attention(gqaConfig);
        using var mha = new Attention(mhaConfig);
        int groups = gqaConfig.Heads / gqaConfig.KvHeads, headDim = gqaConfig.HeadDim;

        var gqaWeights = gqa.state_dict();
        var mhaWeights = new Dictionary<string, Tensor>
        {
            ["wq.weight"] = gqaWeights["wq.weight"],
            ["wo.weight"] = gqaWeights["wo.weight"],
            // K/V head j serves query heads j*groups .. j*groups+groups-1: repeat each head's rows.
            ["wk.weight"] = gqaWeights["wk.weight"].view(gqaConfig.KvHeads, headDim, -1).repeat_interleave(groups, dim: 0).reshape(gqaConfig.Heads * headDim, -1),
            ["wv.weight"] = gqaWeights["wv.weight"].view(gqaConfig.KvHeads, headDim, -1).repeat_interleave(groups, dim: 0).reshape(gqaConfig.Heads * headDim, -1),
        };
        mha.load_state_dict(mhaWeights);

        using var x = randn(2, 6, gqaConfig.Dim);
        using var positions = arange(6, dtype: ScalarType.Int64).unsqueeze(0).expand(2, 6);
        var (cos, sin) = RotaryEmbedding.Angles(positions, headDim, gqaConfig.RopeTheta, ScalarType.Float32);
        using var mask = AttentionMask.Build(zeros(2, 6, dtype: ScalarType.Int64));

        using var fromGqa = gqa.forward(x, cos, sin, mask);
        using var fromMha = mha.forward(x, cos, sin, mask);

        Assert.True(fromGqa.allclose(fromMha, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Attention_matches_a_plain_softmax_reference()
    {
        manual_seed(5);
        var config = TinyConfigs.Gqa() with { KvHeads = 4 };
        using var attention = new Attention(config);
        var w = attention.state_dict();
        using var x = randn(1, 5, config.Dim);
        using var positions = arange(5, dtype: ScalarType.Int64).unsqueeze(0);
        var (cos, sin) = RotaryEmbedding.Angles(positions, config.HeadDim, config.RopeTheta, ScalarType.Float32);
        using var mask = AttentionMask.Build(zeros(1, 5, dtype: ScalarType.Int64));

        Tensor Heads(Tensor t) => t.view(1, 5, config.Heads, config.HeadDim);
        var q = RotaryEmbedding.Apply(Heads(x.matmul(w["wq.weight"].t())), cos, sin).transpose(1, 2);
        var k = RotaryEmbedding.Apply(Heads(x.matmul(w["wk.weight"].t())), cos, sin).transpose(1, 2);
        var v = Heads(x.matmul(w["wv.weight"].t())).transpose(1, 2);
        var scores = q.matmul(k.transpose(2, 3)) / Math.Sqrt(config.HeadDim);
        scores = scores.masked_fill(mask.logical_not(), double.NegativeInfinity);
        var reference = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(1, 5, config.Dim).matmul(w["wo.weight"].t());

        using var actual = attention.forward(x, cos, sin, mask);

        Assert.True(actual.allclose(reference, rtol: 1e-4, atol: 1e-5));
    }
}
