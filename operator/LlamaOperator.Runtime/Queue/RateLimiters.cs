namespace LlamaOperator.Runtime.Queue;

public static class RateLimiters
{
    /// <summary>
    /// client-go's default controller limiter: per-key backoff from 5 ms to 1000 s, combined with an
    /// overall bucket of 10 qps and burst 100 so a storm of failures cannot flood the API server.
    /// </summary>
    public static IRateLimiter<TKey> DefaultController<TKey>(TimeProvider? timeProvider = null)
        where TKey : notnull =>
        new MaxOfRateLimiter<TKey>(
            new ExponentialBackoffRateLimiter<TKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new TokenBucketRateLimiter<TKey>(qps: 10, burst: 100, timeProvider));
}
