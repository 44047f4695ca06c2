using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LlamaTrainer.Model;

/// <summary>
/// Keys or values of this rank's tokens all-gathered over the CP group (forward), rank-major as
/// <see cref="ContextParallelChunks.GatheredIndex"/> numbers them; backward reduce-scatters their gradients, so each
/// rank gets the sum over every rank's queries of its own tokens' K/V gradient. GQA keeps the gathered tensors small.
/// </summary>
public static class ContextParallelGather
{
    /// <param name="local">[this rank's tokens, heads, headDim]</param>
    /// <returns>[CP x tokens, heads, headDim]</returns>
    public static Tensor Apply(Tensor local, ContextParallelChunks chunks, BackwardFailure failure) =>
        chunks.Size == 1 ? local : Function.apply(local, chunks, failure);

    private sealed class Function : SingleTensorFunction<Function>
    {
        public override string Name => nameof(ContextParallelGather);

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var (local, chunks) = ((Tensor)vars[0], (ContextParallelChunks)vars[1]);
            ctx.save_data(nameof(ContextParallelChunks), chunks);
            ctx.save_data(nameof(BackwardFailure), vars[2]);
            using var input = local.contiguous();
            var gathered = empty([chunks.Size * local.shape[0], .. local.shape.Skip(1)], local.dtype, local.device);
            chunks.Group.AllGather(input, gathered);
            return gathered;
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var chunks = (ContextParallelChunks)ctx.get_data(nameof(ContextParallelChunks));
            using var input = grad_output.contiguous();
            var mine = empty([grad_output.shape[0] / chunks.Size, .. grad_output.shape.Skip(1)], grad_output.dtype, grad_output.device);
            try
            {
                chunks.Group.ReduceScatter(input, mine);
            }
            catch (Exception e)
            {
                ((BackwardFailure)ctx.get_data(nameof(BackwardFailure))).Record(e);
                mine.zero_();
            }

            return [mine, null!, null!];
        }
    }
}
