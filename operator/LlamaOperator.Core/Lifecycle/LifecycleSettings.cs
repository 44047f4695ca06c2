namespace LlamaOperator.Core.Lifecycle;

/// <summary>Operator-wide lifecycle settings that are not part of a job's spec.</summary>
public sealed record LifecycleSettings(TimeSpan ForceDeleteGrace)
{
    /// <summary>Five minutes, as the node lifecycle controller waits before it evicts pods from an unreachable node.</summary>
    public static LifecycleSettings Default { get; } = new(TimeSpan.FromMinutes(5));
}
