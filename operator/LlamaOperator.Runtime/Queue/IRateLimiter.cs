namespace LlamaOperator.Runtime.Queue;

/// <summary>Decides how long a key waits before it is retried (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in TKey>
{
    /// <summary>The delay before <paramref name="key"/> may be processed again; each call counts as one retry.</summary>
    TimeSpan When(TKey key);

    /// <summary>Clears the retry history of <paramref name="key"/> (after it succeeded).</summary>
    void Forget(TKey key);

    /// <summary>How many times <paramref name="key"/> was retried since it was last forgotten.</summary>
    int NumRequeues(TKey key);
}
