using LlamaOperator.Api.Layout;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

/// <summary>One rank's part of a whole parameter, for comparing a split model with one process's.</summary>
internal static class ParameterBoxes
{
    /// <summary>The box <paramref name="placement"/> holds of <paramref name="whole"/> (a view).</summary>
    public static Tensor Of(Tensor whole, ParameterShard placement)
    {
        var box = whole;
        for (var d = 0; d < placement.Start.Length; d++)
        {
            box = box.narrow(d, placement.Start[d], placement.Length[d]);
        }

        return box;
    }
}
