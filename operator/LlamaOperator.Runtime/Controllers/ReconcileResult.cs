namespace LlamaOperator.Runtime.Controllers;

/// <summary>What a reconcile asks of the controller next. A thrown exception means a rate-limited retry.</summary>
public readonly record struct ReconcileResult
{
    private ReconcileResult(TimeSpan? requeueAfter, bool requeue)
    {
        RequeueAfterDelay = requeueAfter;
        Requeue = requeue;
    }

    /// <summary>Nothing more to do until the object or something it watches changes.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Retry with the per-key backoff, without counting it as an error (e.g. waiting on a dependency).</summary>
    public static ReconcileResult RequeueWithBackoff => new(null, true);

    /// <summary>Reconcile again after <paramref name="delay"/> (e.g. to poll progress); the backoff history is reset.</summary>
    public static ReconcileResult RequeueAfter(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "RequeueAfter needs a positive delay; use RequeueWithBackoff to retry now.");
        }

        return new ReconcileResult(delay, false);
    }

    public TimeSpan? RequeueAfterDelay { get; }

    public bool Requeue { get; }
}
