using LlamaOperator.Api.V1Alpha1;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>SwiGLU feed-forward: w2(silu(w1 x) * w3 x).</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear w1, w2, w3;

    public FeedForward(ModelConfig config) : base(nameof(FeedForward))
    {
        w1 = nn.Linear(config.Dim, config.FfnDim, hasBias: false);
        w2 = nn.Linear(config.FfnDim, config.Dim, hasBias: false);
        w3 = nn.Linear(config.Dim, config.FfnDim, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return w2.forward(nn.functional.silu(w1.forward(x)) * w3.forward(x)).MoveToOuterDisposeScope();
    }
}
