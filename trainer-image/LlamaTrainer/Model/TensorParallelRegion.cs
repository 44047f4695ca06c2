using LlamaTrainer.Collectives;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LlamaTrainer.Model;

/// <summary>
/// Megatron's f/g pair, the only communication of a tensor-parallel layer: <see cref="Enter"/> (f) before the
/// column-parallel projections is the identity forward and sums the input gradient over the TP group backward (each
/// rank holds the part of it that flows through its columns); <see cref="Leave"/> (g) after the row-parallel projection
/// sums the ranks' partial outputs forward and is the identity backward. Both are the identity on a group of one.
/// </summary>
public static class TensorParallelRegion
{
    /// <summary>f: the input of column-parallel projections.</summary>
    public static Tensor Enter(Tensor x, TensorParallel tp) => tp.IsSplit ? SumGradient.apply(x, tp) : x;

    /// <summary>g: the sum of the row-parallel projections' partial outputs.</summary>
    public static Tensor Leave(Tensor partial, TensorParallel tp) => tp.IsSplit ? SumOutput.apply(partial, tp) : partial;

    /// <summary>
    /// A K/V projection weight replicated over TP ranks (TP a multiple of the K/V heads): identity forward; backward sums
    /// the weight's gradient over the ranks that hold the same head (each has only its query heads' part of it), as
    /// one all-reduce over the TP group of a buffer of every K/V head, each rank filling its head's rows.
    /// </summary>
    public static Tensor ShareReplicaGradient(Tensor weight, TensorParallel tp) => tp.Split.KvReplicas > 1 ? SumReplicaGradient.apply(weight, tp) : weight;

    /// <summary>In place: sums <paramref name="tensor"/> over the TP group (contiguous, on the group's device).</summary>
    internal static void AllReduce(Tensor tensor, TensorParallel tp) => tp.Group.AllReduce(tensor, ReduceOp.Sum);

    /// <summary>The same inside a backward, where an exception would abort the process: a failure is recorded for the model to rethrow.</summary>
    private static void AllReduceInBackward(Tensor tensor, TensorParallel tp)
    {
        try
        {
            AllReduce(tensor, tp);
        }
        catch (Exception e)
        {
            tp.Failure.Record(e);
        }
    }

    private sealed class SumGradient : SingleTensorFunction<SumGradient>
    {
        public override string Name => "TensorParallelEnter";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            ctx.save_data(nameof(TensorParallel), vars[1]);
            var x = (Tensor)vars[0];
            return x.view_as(x);
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var tp = (TensorParallel)ctx.get_data(nameof(TensorParallel));
            var summed = grad_output.contiguous().clone();
            AllReduceInBackward(summed, tp);

            return [summed, null!];
        }
    }

    private sealed class SumOutput : SingleTensorFunction<SumOutput>
    {
        public override string Name => "TensorParallelLeave";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            // A copy: the partial output is an input of this function and must not change under autograd.
            var summed = ((Tensor)vars[0]).contiguous().clone();
            AllReduce(summed, (TensorParallel)vars[1]);
            return summed;
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output) => [grad_output, null!];
    }

    private sealed class SumReplicaGradient : SingleTensorFunction<SumReplicaGradient>
    {
        public override string Name => "TensorParallelKvReplicas";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            ctx.save_data(nameof(TensorParallel), vars[1]);
            var weight = (Tensor)vars[0];
            return weight.view_as(weight);
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var tp = (TensorParallel)ctx.get_data(nameof(TensorParallel));
            var split = tp.Split;
            var headDim = split.Model.HeadDim;
            using var heads = zeros([(long)split.Model.KvHeads * headDim, grad_output.shape[1]], grad_output.dtype, grad_output.device);
            using var mine = heads.narrow(0, (long)split.FirstKvHead * headDim, (long)split.KvHeads * headDim);
            mine.copy_(grad_output);
            AllReduceInBackward(heads, tp);

            return [mine.clone(), null!];
        }
    }
}
