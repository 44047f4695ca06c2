namespace LlamaOperator.Runtime.Queue;

/// <summary>
/// An overall token bucket (qps refill, burst capacity) shared by all keys. A call when the bucket is
/// empty reserves a future token and returns how long until it is available, like golang.org/x/time/rate.
/// </summary>
public sealed class TokenBucketRateLimiter<TKey> : IRateLimiter<TKey>
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _qps;
    private readonly int _burst;
    private double _tokens;
    private long _lastRefill;

    public TokenBucketRateLimiter(double qps, int burst, TimeProvider? timeProvider = null)
    {
        if (!(qps > 0) || double.IsInfinity(qps))
        {
            throw new ArgumentOutOfRangeException(nameof(qps), qps, "qps must be a positive finite number.");
        }

        if (burst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(burst), burst, "burst must be at least 1.");
        }

        _time = timeProvider ?? TimeProvider.System;
        _qps = qps;
        _burst = burst;
        _tokens = burst;
        _lastRefill = _time.GetTimestamp();
    }

    public TimeSpan When(TKey key)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_lastRefill, now).TotalSeconds * _qps));
            _lastRefill = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    public void Forget(TKey key)
    {
    }

    public int NumRequeues(TKey key) => 0;
}
