using LlamaOperator.Api.V1Alpha1;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// Grouped-query self-attention. The query heads that share a K/V head are folded into the sequence axis of one
/// attention call ([batch, kvHeads, groups*seq, headDim] against [batch, kvHeads, seq, headDim]), so K and V are
/// never copied per query head; only the boolean mask is repeated per group.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly int _heads, _kvHeads, _headDim;
    private readonly Linear wq, wk, wv, wo;

    public Attention(ModelConfig config) : base(nameof(Attention))
    {
        if (config.Dim % config.Heads != 0)
        {
            throw new ArgumentException($"model.dim ({config.Dim}) must be a multiple of model.heads ({config.Heads})", nameof(config));
        }
        if (config.Heads % config.KvHeads != 0)
        {
            throw new ArgumentException($"model.heads ({config.Heads}) must be a multiple of model.kvHeads ({config.KvHeads})", nameof(config));
        }

        _heads = config.Heads;
        _kvHeads = config.KvHeads;
        _headDim = config.HeadDim;
        wq = nn.Linear(config.Dim, _heads * _headDim, hasBias: false);
        wk = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
        wv = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
        wo = nn.Linear(_heads * _headDim, config.Dim, hasBias: false);
        RegisterComponents();
    }

    /// <param name="x">[batch, seq, dim]</param>
    /// <param name="cos">RoPE cos, [batch, seq, 1, headDim]</param>
    /// <param name="sin">RoPE sin, [batch, seq, 1, headDim]</param>
    /// <param name="mask">boolean [batch, 1, seq, seq], true = may attend</param>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        int groups = _heads / _kvHeads;

        var q = RotaryEmbedding.Apply(wq.forward(x).view(batch, seq, _heads, _headDim), cos, sin);
        var k = RotaryEmbedding.Apply(wk.forward(x).view(batch, seq, _kvHeads, _headDim), cos, sin);
        var v = wv.forward(x).view(batch, seq, _kvHeads, _headDim);

        // Head h uses K/V head h / groups: [B, T, KV, G, hd] -> [B, KV, G*T, hd].
        var qGrouped = q.view(batch, seq, _kvHeads, groups, _headDim).permute(0, 2, 3, 1, 4).reshape(batch, _kvHeads, groups * seq, _headDim);
        var groupedMask = groups == 1 ? mask : mask.unsqueeze(2).expand(batch, 1, groups, seq, seq).reshape(batch, 1, groups * seq, seq);

        var attended = nn.functional.scaled_dot_product_attention(qGrouped, k.transpose(1, 2), v.transpose(1, 2), groupedMask);

        var merged = attended.view(batch, _kvHeads, groups, seq, _headDim).permute(0, 3, 1, 2, 4).reshape(batch, seq, _heads * _headDim);
        return wo.forward(merged).MoveToOuterDisposeScope();
    }
}
