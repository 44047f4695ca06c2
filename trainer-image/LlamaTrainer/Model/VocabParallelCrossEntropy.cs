using LlamaTrainer.Data;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LlamaTrainer.Model;

/// <summary>
/// Cross-entropy summed over the tokens, on logits split by vocabulary over the TP group (Megatron's vocab-parallel
/// cross-entropy): the full logits are never gathered. Each rank finds its rows' maximum (all-gathered, so every rank
/// takes the global one), the sum of exponentials (all-reduced) and the target's logit (all-reduced from the rank
/// that holds it); backward is local: softmax minus the one-hot target, on this rank's columns. Targets equal to
/// <see cref="TokenBatch.IgnoreIndex"/> count for nothing. On a group of one it is libtorch's cross_entropy.
/// </summary>
public static class VocabParallelCrossEntropy
{
    /// <param name="logits">[tokens, this rank's vocabulary rows], fp32</param>
    /// <param name="targets">[tokens] global token ids</param>
    public static Tensor Sum(Tensor logits, Tensor targets, TensorParallel tp) =>
        tp.IsSplit
            ? Function.apply(logits, targets, tp)
            : nn.functional.cross_entropy(logits, targets, ignore_index: TokenBatch.IgnoreIndex, reduction: nn.Reduction.Sum);

    private sealed class Function : SingleTensorFunction<Function>
    {
        public override string Name => nameof(VocabParallelCrossEntropy);

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var (logits, targets, tp) = ((Tensor)vars[0], (Tensor)vars[1], (TensorParallel)vars[2]);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var tokens = logits.shape[0];
            var vocab = tp.Split.Vocab;

            var localMax = logits.max(1).values.contiguous();
            var maxima = empty(tp.Group.Size * tokens, logits.dtype, logits.device);
            tp.Group.AllGather(localMax, maxima);
            var shifted = logits - maxima.view(tp.Group.Size, tokens).max(0).values.unsqueeze(1);
            var exponentials = shifted.exp();
            var sumExp = exponentials.sum(1).contiguous();
            tp.Group.AllReduce(sumExp);

            var here = targets.ge(vocab.Start).logical_and(targets.lt(vocab.Start + vocab.Count));
            var local = (targets - vocab.Start).masked_fill(here.logical_not(), 0);
            var target = shifted.gather(1, local.unsqueeze(1)).squeeze(1).masked_fill(here.logical_not(), 0).contiguous();
            tp.Group.AllReduce(target);

            var counted = targets.ne(TokenBatch.IgnoreIndex);
            var loss = (sumExp.log() - target).masked_fill(counted.logical_not(), 0).sum();
            var softmax = exponentials.div_(sumExp.unsqueeze(1));
            ctx.save_for_backward([softmax.MoveToOuterDisposeScope(), local.MoveToOuterDisposeScope(), here.MoveToOuterDisposeScope(), counted.MoveToOuterDisposeScope()]);
            return loss.MoveToOuterDisposeScope();
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            using var scope = NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var (softmax, local, here, counted) = (saved[0], saved[1], saved[2], saved[3]);
            var gradient = softmax.clone();
            gradient.scatter_add_(1, local.unsqueeze(1), here.to_type(gradient.dtype).neg().unsqueeze(1));
            gradient.mul_(counted.to_type(gradient.dtype).unsqueeze(1)).mul_(grad_output);
            return [gradient.MoveToOuterDisposeScope(), null!, null!];
        }
    }
}
