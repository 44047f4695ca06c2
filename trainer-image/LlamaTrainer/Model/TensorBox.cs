using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>The one way to take a rank's box (a TP slice, a ZeRO shard of it) out of a whole tensor.</summary>
public static class TensorBox
{
    /// <summary>A view of <paramref name="whole"/>: indices [start, start + length) in every dimension.</summary>
    public static Tensor Of(Tensor whole, IReadOnlyList<long> start, IReadOnlyList<long> length)
    {
        if (start.Count != whole.dim() || length.Count != whole.dim())
        {
            throw new ArgumentException($"a box of {start.Count} dimensions does not fit a tensor of shape [{string.Join(", ", whole.shape)}]", nameof(start));
        }

        var box = whole;
        for (var d = 0; d < start.Count; d++)
        {
            box = box.narrow(d, start[d], length[d]);
        }

        return box;
    }
}
