using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// Rotary position embedding (RoPE) in the "rotate half" layout: channel i pairs with channel i + headDim/2.
/// Angles come from explicit per-token positions, which restart at each document of a packed sequence.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin of position * theta^(-2i/headDim), each [batch, seq, 1, headDim] (broadcast over heads).</summary>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positions, int headDim, double theta, ScalarType dtype)
    {
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"RoPE needs an even head dimension, got {headDim}", nameof(headDim));
        }

        using var scope = NewDisposeScope();
        var exponent = arange(0, headDim, 2, dtype: ScalarType.Float64, device: positions.device) / headDim;
        var inverseFrequency = pow(theta, -exponent).to_type(ScalarType.Float32);
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * inverseFrequency; // [B, T, hd/2]
        var full = cat([angles, angles], -1).unsqueeze(2);                                      // [B, T, 1, hd]
        return (full.cos().to_type(dtype).MoveToOuterDisposeScope(), full.sin().to_type(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [batch, seq, heads, headDim] by the angles.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var halves = x.chunk(2, -1);
        var rotated = cat([-halves[1], halves[0]], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
