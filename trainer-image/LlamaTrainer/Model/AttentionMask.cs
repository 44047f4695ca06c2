using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>The causal mask intersected with the document mask of packed sequences.</summary>
public static class AttentionMask
{
    /// <summary>
    /// Boolean [batch, 1, seq, seq]: true where query i may attend to key j, i.e. j &lt;= i and both tokens belong
    /// to the same document. Every row allows at least its own token, so softmax never sees an all-masked row.
    /// </summary>
    public static Tensor Build(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        var length = documentIds.shape[1];
        var sameDocument = documentIds.unsqueeze(2).eq(documentIds.unsqueeze(1));
        var causal = ones(length, length, dtype: ScalarType.Bool, device: documentIds.device).tril();
        return sameDocument.logical_and(causal).unsqueeze(1).MoveToOuterDisposeScope();
    }
}
