using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Collectives;

namespace LlamaTrainer.Model;

/// <summary>
/// This rank's part of the model under tensor parallelism: the split (which heads, rows and columns it holds) and the
/// group it computes with. The custom backward functions that communicate record their failures in
/// <see cref="Failure"/>, which the model rethrows after backward.
/// </summary>
public sealed class TensorParallel(TensorParallelSplit split, ICommunicator group, BackwardFailure failure)
{
    public TensorParallelSplit Split => split;

    public ICommunicator Group => group;

    public BackwardFailure Failure => failure;

    /// <summary>The whole model in one process.</summary>
    public static TensorParallel Single(ModelConfig model) => new(TensorParallelSplit.Of(model, 1, 0), new SoloCommunicator(), new BackwardFailure());

    /// <summary>Whether the model is split at all (more than one rank): a group of one takes the single-process path.</summary>
    public bool IsSplit => group.Size > 1;
}
