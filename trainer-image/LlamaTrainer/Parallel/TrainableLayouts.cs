using LlamaOperator.Api.Resolution;

namespace LlamaTrainer.Parallel;

/// <summary>The layouts this trainer can train: tensor, pipeline and data parallelism of any degree the model splits into; context parallelism comes next.</summary>
public static class TrainableLayouts
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming <paramref name="field"/> for a layout with cp above 1.</summary>
    public static void Require(ResolvedParallelism layout, string field)
    {
        if (layout.Cp != 1)
        {
            throw new NotSupportedException(
                $"{field}: cp={layout.Cp}; this llama-train trains tensor-, pipeline- and data-parallel layouts (context parallelism comes next)");
        }
    }
}
