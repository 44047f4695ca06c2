namespace LlamaOperator.Api.Layout;

/// <summary>The four parallel dimensions, innermost (fastest-varying rank) first, as Llama 3 orders them.</summary>
public enum ParallelDimension
{
    Tp,
    Cp,
    Pp,
    Dp,
}
