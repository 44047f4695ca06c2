namespace LlamaOperator.Runtime.Queue;

public sealed class WorkQueueOptions<TKey>
    where TKey : notnull
{
    /// <summary>Clock for delays, latencies and the default rate limiter; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Limiter behind AddRateLimited; defaults to <see cref="RateLimiters.DefaultController{TKey}"/>.</summary>
    public IRateLimiter<TKey>? RateLimiter { get; init; }

    public WorkQueueMetrics? Metrics { get; init; }
}
