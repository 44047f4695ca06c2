namespace LlamaOperator.Runtime.Controllers;

/// <summary>What a reconcile asks of the controller next. A thrown exception means a rate-limited retry.</summary>
public readonly record struct ReconcileResult
{
    private ReconcileResult(TimeSpan requeueAfter) => RequeueAfterDelay = requeueAfter;

    /// <summary>Nothing more to do until the object or something it watches changes.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Reconcile again after <paramref name="delay"/> (e.g. to poll progress); the backoff history is reset.</summary>
    public static ReconcileResult RequeueAfter(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "RequeueAfter needs a positive delay; throw to retry with backoff.");
        }

        return new ReconcileResult(delay);
    }

    public TimeSpan? RequeueAfterDelay { get; }
}
