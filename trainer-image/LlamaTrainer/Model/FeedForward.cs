using LlamaOperator.Api.V1Alpha1;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>SwiGLU feed-forward: w2(silu(w1 x) * w3 x); under tensor parallelism w1/w3 column-parallel and w2 row-parallel over this rank's rows of the width.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear w1, w2, w3;
    private readonly TensorParallel _tp;

    public FeedForward(ModelConfig config, TensorParallel tp) : base(nameof(FeedForward))
    {
        _tp = tp;
        var width = tp.Split.Ffn.Count;
        w1 = nn.Linear(config.Dim, width, hasBias: false);
        w2 = nn.Linear(width, config.Dim, hasBias: false);
        w3 = nn.Linear(config.Dim, width, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = TensorParallelRegion.Enter(x, _tp);
        return TensorParallelRegion.Leave(w2.forward(nn.functional.silu(w1.forward(x)) * w3.forward(x)), _tp).MoveToOuterDisposeScope();
    }
}
