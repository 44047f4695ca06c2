using LlamaOperator.Api.V1Alpha1;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>A pre-norm LlamaTransformer layer: x + attention(norm(x)), then + feedForward(norm(.)).</summary>
public sealed class TransformerBlock : nn.Module
{
    private readonly RmsNorm attention_norm, ffn_norm;
    private readonly Attention attention;
    private readonly FeedForward feed_forward;

    public TransformerBlock(ModelConfig config, TensorParallel tp) : base(nameof(TransformerBlock))
    {
        attention_norm = new RmsNorm(config.Dim, config.NormEps);
        attention = new Attention(config, tp);
        ffn_norm = new RmsNorm(config.Dim, config.NormEps);
        feed_forward = new FeedForward(config, tp);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, DocumentSegments documents)
    {
        using var scope = NewDisposeScope();
        var h = x + attention.forward(attention_norm.forward(x), cos, sin, documents);
        return (h + feed_forward.forward(ffn_norm.forward(h))).MoveToOuterDisposeScope();
    }
}
