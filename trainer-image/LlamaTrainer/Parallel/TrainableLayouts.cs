using LlamaOperator.Api.Resolution;

namespace LlamaTrainer.Parallel;

/// <summary>The layouts this trainer can train: tensor and data parallelism of any degree the model splits into; context and pipeline parallelism come next.</summary>
public static class TrainableLayouts
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming <paramref name="field"/> for a layout with cp or pp above 1.</summary>
    public static void Require(ResolvedParallelism layout, string field)
    {
        if ((long)layout.Cp * layout.Pp != 1)
        {
            throw new NotSupportedException(
                $"{field}: cp={layout.Cp} pp={layout.Pp}; this llama-train trains tensor- and data-parallel layouts only (context and pipeline parallelism come next)");
        }
    }
}
