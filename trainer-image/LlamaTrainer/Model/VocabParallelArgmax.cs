using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// Greedy tokens from logits split by vocabulary over the TP group: each rank's best id and its logit are
/// all-gathered and the highest wins, the lowest rank on a tie, so the result is one process's argmax (which takes the
/// lowest id of equal maxima).
/// </summary>
public static class VocabParallelArgmax
{
    /// <param name="logits">[tokens, this rank's vocabulary rows]</param>
    /// <returns>[tokens] global token ids, the same on every rank</returns>
    public static Tensor Of(Tensor logits, TensorParallel tp)
    {
        if (!tp.IsSplit)
        {
            return logits.argmax(-1);
        }

        using var scope = NewDisposeScope();
        var (values, indices) = logits.max(-1);
        var tokens = values.shape[0];
        var size = tp.Group.Size;
        var allValues = empty(size * tokens, values.dtype, values.device);
        var allIds = empty(size * tokens, ScalarType.Int64, values.device);
        tp.Group.AllGather(values.contiguous(), allValues);
        tp.Group.AllGather((indices + tp.Split.Vocab.Start).contiguous(), allIds);
        var best = allValues.view(size, tokens).argmax(0);
        return allIds.view(size, tokens).gather(0, best.unsqueeze(0)).squeeze(0).MoveToOuterDisposeScope();
    }
}
