using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Parallel;

/// <summary>
/// How a model is laid out over processes (torchtitan's parallelize step), kept apart from the model definition
/// and the train loop. Tensor/context/pipeline/data-parallel plans implement this over NCCL; the loop calls
/// <see cref="Apply"/> once and <see cref="ReduceGradients"/> after each accumulated batch.
/// </summary>
public interface IParallelPlan
{
    /// <summary>Places (and, for parallel plans, shards) the model's parameters.</summary>
    void Apply(LlamaTransformer model, Device device, ScalarType dtype);

    /// <summary>Makes every rank's gradients the batch's gradients (all-reduce / reduce-scatter for DP).</summary>
    void ReduceGradients(LlamaTransformer model);
}
