using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Operator.Reconciling;

/// <summary>How the job reconciler paces itself.</summary>
public sealed record ReconcilerSettings
{
    public LifecycleSettings Lifecycle { get; init; } = LifecycleSettings.Default;

    /// <summary>How often an active job is reconciled without any event, and its checkpoint store read (in the background: a changed reading enqueues it at once).</summary>
    public TimeSpan ProgressPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one progress read from storage may take.</summary>
    public TimeSpan StorageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When to read again after storage could not be read.</summary>
    public TimeSpan StorageRetry { get; init; } = TimeSpan.FromSeconds(15);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
