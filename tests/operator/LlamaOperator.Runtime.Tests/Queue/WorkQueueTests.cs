using LlamaOperator.Runtime.Queue;
using Microsoft.Extensions.Time.Testing;

namespace LlamaOperator.Runtime.Tests.Queue;

public class WorkQueueTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestMetrics _metrics = new();

    private WorkQueue<string> NewQueue(IRateLimiter<string>? limiter = null) => new("test", new WorkQueueOptions<string>
    {
        TimeProvider = _time,
        RateLimiter = limiter,
        Metrics = new WorkQueueMetrics(_metrics.Factory),
    });

    [Fact]
    public async Task Adds_of_a_waiting_key_collapse_into_one_entry_in_fifo_order()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        queue.Add("a");

        Assert.Equal(2, queue.Length);
        Assert.Equal("a", (await queue.GetAsync()).Key);
        Assert.Equal("b", (await queue.GetAsync()).Key);
        Assert.Equal(0, queue.Length);
        Assert.Equal(2, await _metrics.ValueAsync("workqueue_adds_total{name=\"test\"}"));
    }

    [Fact]
    public async Task A_key_readded_while_processing_is_not_handed_to_a_second_worker_until_done()
    {
        using var queue = NewQueue();
        queue.Add("a");
        var first = await queue.GetAsync();

        queue.Add("a");
        queue.Add("a");
        var second = queue.GetAsync();

        Assert.False(second.IsCompleted);
        Assert.Equal(0, queue.Length);

        queue.Done(first.Key);

        var item = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("a", item.Key);
        queue.Done("a");
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task A_waiting_worker_is_woken_by_an_add()
    {
        using var queue = NewQueue();
        var pending = queue.GetAsync();
        Assert.False(pending.IsCompleted);

        queue.Add("x");

        Assert.Equal(new WorkItem<string>("x", false), await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancelling_a_wait_throws_and_does_not_swallow_a_later_key()
    {
        using var queue = NewQueue();
        using var cts = new CancellationTokenSource();
        var pending = queue.GetAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        queue.Add("x");
        Assert.Equal("x", (await queue.GetAsync()).Key);
    }

    [Fact]
    public void Done_for_a_key_that_is_not_processing_is_an_error_naming_the_queue_and_key()
    {
        using var queue = NewQueue();
        var error = Assert.Throws<InvalidOperationException>(() => queue.Done("ghost"));
        Assert.Contains("'test'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAfter_releases_keys_when_their_time_comes_and_the_earliest_time_wins()
    {
        using var queue = NewQueue();
        queue.AddAfter("late", TimeSpan.FromSeconds(10));
        queue.AddAfter("soon", TimeSpan.FromSeconds(5));
        queue.AddAfter("late", TimeSpan.FromSeconds(3)); // earlier: replaces 10 s
        queue.AddAfter("soon", TimeSpan.FromSeconds(60)); // later: ignored

        Assert.Equal(2, queue.DelayedCount);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Length);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Length);
        Assert.Equal("late", (await queue.GetAsync()).Key);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("soon", (await queue.GetAsync()).Key);
        Assert.Equal(0, queue.DelayedCount);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public void AddAfter_handles_thousands_of_keys_in_due_order()
    {
        using var queue = NewQueue();
        for (var i = 5000; i > 0; i--)
        {
            queue.AddAfter($"k{i}", TimeSpan.FromMilliseconds(i));
        }

        _time.Advance(TimeSpan.FromMilliseconds(2500));
        Assert.Equal(2500, queue.Length);
        Assert.Equal(2500, queue.DelayedCount);

        _time.Advance(TimeSpan.FromMilliseconds(2500));
        Assert.Equal(5000, queue.Length);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public async Task AddRateLimited_backs_off_exponentially_per_key_and_forget_resets()
    {
        using var queue = NewQueue(new ExponentialBackoffRateLimiter<string>(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100)));

        queue.AddRateLimited("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        var item = await queue.GetAsync();
        queue.Done(item.Key);

        queue.AddRateLimited("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, queue.Length); // second retry waits 2 s
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Length);
        Assert.Equal(2, queue.NumRequeues("a"));
        Assert.Equal(2, await _metrics.ValueAsync("workqueue_retries_total{name=\"test\"}"));

        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task Immediate_shutdown_releases_waiters_and_drops_waiting_and_new_keys()
    {
        using var queue = NewQueue();
        var waiting = queue.GetAsync();
        queue.ShutDown();

        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(5))).IsShutDown);
        queue.Add("after");
        queue.AddAfter("delayed", TimeSpan.FromSeconds(1));
        Assert.True((await queue.GetAsync()).IsShutDown);
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public async Task Drain_hands_out_waiting_keys_and_completes_when_the_last_one_is_done()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        var inFlight = await queue.GetAsync();

        var drained = queue.ShutDownWithDrainAsync();
        queue.Add("rejected");

        Assert.False(drained.IsCompleted);
        var next = await queue.GetAsync();
        Assert.Equal("b", next.Key);
        queue.Done(inFlight.Key);
        Assert.False(drained.IsCompleted);
        queue.Done(next.Key);

        await drained.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True((await queue.GetAsync()).IsShutDown);
    }

    [Fact]
    public async Task Metrics_report_depth_queue_latency_and_work_duration()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        Assert.Equal(2, await _metrics.ValueAsync("workqueue_depth{name=\"test\"}"));

        _time.Advance(TimeSpan.FromSeconds(3));
        var item = await queue.GetAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        queue.Done(item.Key);

        Assert.Equal(1, await _metrics.ValueAsync("workqueue_depth{name=\"test\"}"));
        Assert.Equal(3, await _metrics.ValueAsync("workqueue_queue_duration_seconds_sum{name=\"test\"}"), 3);
        Assert.Equal(2, await _metrics.ValueAsync("workqueue_work_duration_seconds_sum{name=\"test\"}"), 3);
    }

    [Fact]
    public async Task Concurrent_workers_never_hold_the_same_key_at_once()
    {
        using var queue = new WorkQueue<int>("concurrency", new WorkQueueOptions<int> { Metrics = new WorkQueueMetrics(_metrics.Factory) });
        var holders = new int[10];
        var violations = 0;
        var processed = 0;

        async Task Worker()
        {
            while (true)
            {
                var item = await queue.GetAsync();
                if (item.IsShutDown)
                {
                    return;
                }

                if (Interlocked.Increment(ref holders[item.Key]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                Interlocked.Decrement(ref holders[item.Key]);
                Interlocked.Increment(ref processed);
                queue.Done(item.Key);
            }
        }

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(Worker)).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            queue.Add(i % 10);
        }

        await queue.ShutDownWithDrainAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, violations);
        Assert.InRange(processed, 10, 2000);
    }
}
