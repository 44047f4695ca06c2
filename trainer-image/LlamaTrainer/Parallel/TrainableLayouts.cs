using LlamaOperator.Api.Resolution;

namespace LlamaTrainer.Parallel;

/// <summary>The layouts this trainer can train: data parallelism of any degree; tensor, context and pipeline parallelism come next.</summary>
public static class TrainableLayouts
{
    /// <summary>Throws <see cref="NotSupportedException"/> naming <paramref name="field"/> for a layout with tp, cp or pp above 1.</summary>
    public static void Require(ResolvedParallelism layout, string field)
    {
        if ((long)layout.Tp * layout.Cp * layout.Pp != 1)
        {
            throw new NotSupportedException(
                $"{field}: tp={layout.Tp} cp={layout.Cp} pp={layout.Pp}; this llama-train trains data-parallel layouts only (tensor, context and pipeline parallelism come next)");
        }
    }
}
