namespace LlamaOperator.Runtime.Queue;

/// <summary>Combines limiters: the longest delay wins, every limiter sees every call.</summary>
public sealed class MaxOfRateLimiter<TKey> : IRateLimiter<TKey>
{
    private readonly IRateLimiter<TKey>[] _limiters;

    public MaxOfRateLimiter(params IRateLimiter<TKey>[] limiters)
    {
        if (limiters.Length == 0)
        {
            throw new ArgumentException("At least one rate limiter is required.", nameof(limiters));
        }

        _limiters = limiters;
    }

    public TimeSpan When(TKey key)
    {
        var longest = TimeSpan.Zero;
        foreach (var limiter in _limiters)
        {
            var delay = limiter.When(key);
            if (delay > longest)
            {
                longest = delay;
            }
        }

        return longest;
    }

    public void Forget(TKey key)
    {
        foreach (var limiter in _limiters)
        {
            limiter.Forget(key);
        }
    }

    public int NumRequeues(TKey key) => _limiters.Max(l => l.NumRequeues(key));
}
