using LlamaOperator.Runtime.Queue;
using Microsoft.Extensions.Time.Testing;

namespace LlamaOperator.Runtime.Tests.Queue;

public class RateLimiterTests
{
    [Fact]
    public void Exponential_backoff_doubles_per_failure_caps_at_max_and_resets_on_forget()
    {
        var limiter = new ExponentialBackoffRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50));

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), limiter.When("a"));
        Assert.Equal(5, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));

        limiter.Forget("a");

        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void Exponential_backoff_saturates_after_a_very_long_failure_streak()
    {
        var limiter = new ExponentialBackoffRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        for (var i = 0; i < 200; i++)
        {
            limiter.When("k");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("k"));
    }

    [Fact]
    public void Exponential_backoff_rejects_max_below_base()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialBackoffRateLimiter<string>(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Equal("maxDelay", error.ParamName);
    }

    [Fact]
    public void Token_bucket_allows_the_burst_then_spaces_calls_by_one_over_qps_and_refills_with_time()
    {
        var time = new FakeTimeProvider();
        var limiter = new TokenBucketRateLimiter<string>(qps: 10, burst: 3, time);

        Assert.Equal(TimeSpan.Zero, limiter.When("a"));
        Assert.Equal(TimeSpan.Zero, limiter.When("b"));
        Assert.Equal(TimeSpan.Zero, limiter.When("c"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("d"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("e"));

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.Zero, limiter.When("f"));
    }

    [Fact]
    public void Max_of_takes_the_longest_delay_and_forgets_everywhere()
    {
        var time = new FakeTimeProvider();
        var backoff = new ExponentialBackoffRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        var limiter = new MaxOfRateLimiter<string>(backoff, new TokenBucketRateLimiter<string>(qps: 1, burst: 1, time));

        Assert.Equal(TimeSpan.FromMilliseconds(1), limiter.When("a"));  // bucket has a token, backoff says 1 ms
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When("a"));       // bucket empty: 1 s beats 2 ms
        Assert.Equal(2, limiter.NumRequeues("a"));

        limiter.Forget("a");

        Assert.Equal(0, backoff.NumRequeues("a"));
    }
}
