namespace LlamaOperator.DevCluster.Store;

/// <summary>meta/v1 DeleteOptions: propagation policy (Orphan, Background, Foreground), grace period, preconditions.</summary>
public sealed record DeleteOptions
{
    public string? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }

    public static readonly DeleteOptions Default = new();
}
