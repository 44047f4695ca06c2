using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class AttentionTests
{
    // Packed rows as the sequence packer writes them: documents of many lengths (several call lengths), a
    // one-token document, and padding as a document of its own at the end of a row.
    private static readonly int[][] Documents = [[3, 17, 40, 1, 3], [64]];
    private const int Length = 64;

    [Fact]
    public void Grouped_query_attention_equals_multi_head_attention_with_each_kv_head_repeated()
    {
        manual_seed(4);
        var gqaConfig = TinyConfigs.Gqa();                     // 4 query heads, 2 K/V heads
        var mhaConfig = gqaConfig with { KvHeads = gqaConfig.Heads };
        using var gqa = new Attention(gqaConfig, TensorParallel.Single(gqaConfig));
        using var mha = new Attention(mhaConfig, TensorParallel.Single(mhaConfig));
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

        using var x = randn(2, Length, gqaConfig.Dim);
        var (positions, ids) = Packed();
        var (cos, sin) = RotaryEmbedding.Angles(positions, headDim, gqaConfig.RopeTheta, ScalarType.Float32);
        using var documents = DocumentSegments.Of(ids);

        using var fromGqa = gqa.forward(x, cos, sin, documents);
        using var fromMha = mha.forward(x, cos, sin, documents);

        Assert.True(fromGqa.allclose(fromMha, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Attention_per_document_equals_softmax_under_the_dense_causal_document_mask_in_output_and_every_gradient()
    {
        manual_seed(5);
        var config = TinyConfigs.Gqa();
        using var attention = new Attention(config, TensorParallel.Single(config));
        var w = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var x = randn(2, Length, config.Dim).requires_grad_();
        var (positions, ids) = Packed();
        var (cos, sin) = RotaryEmbedding.Angles(positions, config.HeadDim, config.RopeTheta, ScalarType.Float32);
        using var upstream = randn(2, Length, config.Dim);

        using var documents = DocumentSegments.Of(ids);
        using var actual = attention.forward(x, cos, sin, documents);
        actual.mul(upstream).sum().backward();
        var actualGradients = w.ToDictionary(p => p.Key, p => p.Value.grad!.clone());
        var actualInputGradient = x.grad!.clone();
        attention.zero_grad();
        x.grad!.zero_();

        // The formulation this replaces: scores for all T x T pairs, masked to "same document and not later".
        int groups = config.Heads / config.KvHeads;
        Tensor Heads(Tensor t, int heads) => t.view(2, Length, heads, config.HeadDim);
        var q = RotaryEmbedding.Apply(Heads(x.matmul(w["wq.weight"].t()), config.Heads), cos, sin).transpose(1, 2);
        var k = RotaryEmbedding.Apply(Heads(x.matmul(w["wk.weight"].t()), config.KvHeads), cos, sin).transpose(1, 2).repeat_interleave(groups, dim: 1);
        var v = Heads(x.matmul(w["wv.weight"].t()), config.KvHeads).transpose(1, 2).repeat_interleave(groups, dim: 1);
        var mask = ids.unsqueeze(2).eq(ids.unsqueeze(1)).logical_and(ones(Length, Length, dtype: ScalarType.Bool).tril()).unsqueeze(1);
        var scores = (q.matmul(k.transpose(2, 3)) / Math.Sqrt(config.HeadDim)).masked_fill(mask.logical_not(), double.NegativeInfinity);
        var reference = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(2, Length, -1).matmul(w["wo.weight"].t());
        reference.mul(upstream).sum().backward();

        // fp32 rounding of two summation orders over at most 64 keys.
        Assert.True(actual.allclose(reference, rtol: 1e-4, atol: 1e-5), $"largest output difference {(actual - reference).abs().max().item<float>()}");
        Assert.True(actualInputGradient.allclose(x.grad!, rtol: 1e-4, atol: 1e-5), "input gradient");
        foreach (var (name, parameter) in w)
            Assert.True(actualGradients[name].allclose(parameter.grad!, rtol: 1e-4, atol: 1e-5), $"gradient of {name}");
    }

    private static (Tensor Positions, Tensor Ids) Packed()
    {
        var positions = new long[2 * Length];
        var ids = new long[2 * Length];
        for (var row = 0; row < 2; row++)
        {
            var at = row * Length;
            for (var document = 0; document < Documents[row].Length; document++)
            {
                for (var i = 0; i < Documents[row][document]; i++, at++)
                {
                    positions[at] = i;
                    ids[at] = document;
                }
            }
        }
        return (tensor(positions).view(2, Length), tensor(ids).view(2, Length));
    }
}
