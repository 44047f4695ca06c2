using LlamaOperator.Api.Layout;
using LlamaTrainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Parallel;

/// <summary>The whole model in one process: it only moves the parameters; gradients are already complete.</summary>
public sealed class SingleProcessPlan : IParallelPlan
{
    public void Apply(LlamaTransformer model, Device device, ScalarType dtype) => model.to(device, dtype);

    public void ReduceGradients(LlamaTransformer model)
    {
    }

    /// <summary>The plan for a layout; only a world of one process exists so far.</summary>
    public static IParallelPlan For(ParallelLayout layout) =>
        layout.WorldSize == 1
            ? new SingleProcessPlan()
            : throw new NotSupportedException(
                $"WORLD_SIZE {layout.WorldSize} (tp={layout.Tp} cp={layout.Cp} pp={layout.Pp} dp={layout.Dp}): this llama-train runs a single process; multi-process training is not implemented yet");
}
