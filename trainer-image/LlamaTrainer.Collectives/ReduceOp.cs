namespace LlamaTrainer.Collectives;

/// <summary>The element-wise reductions of all-reduce and reduce-scatter.</summary>
public enum ReduceOp
{
    Sum,
    Max,
    Min,
}
