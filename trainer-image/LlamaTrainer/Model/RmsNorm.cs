using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>Root-mean-square layer norm with a learned per-channel gain (no bias, no mean subtraction).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
    private readonly Parameter weight;

    public RmsNorm(long dim, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Normalise in fp32 even when activations are bf16: the mean of squares loses too much in bf16.
        var x32 = x.to_type(ScalarType.Float32);
        var normed = x32 * (x32.pow(2).mean([-1], keepdim: true) + _eps).rsqrt();
        return (normed.to_type(x.dtype) * weight).MoveToOuterDisposeScope();
    }
}
