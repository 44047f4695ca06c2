using System.Threading.Channels;
using LlamaOperator.Runtime.Controllers;
using LlamaOperator.Runtime.Queue;
using Microsoft.Extensions.Time.Testing;
using Serilog;

namespace LlamaOperator.Runtime.Tests.Controllers;

public sealed class ControllerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestMetrics _metrics = new();
    private readonly CollectingSink _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly WorkQueue<string> _queue;
    private readonly ScriptedReconciler _reconciler;
    private Task? _run;

    public ControllerTests()
    {
        _queue = new WorkQueue<string>("jobs", new WorkQueueOptions<string>
        {
            TimeProvider = _time,
            RateLimiter = new ExponentialBackoffRateLimiter<string>(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)),
            Metrics = new WorkQueueMetrics(_metrics.Factory),
        });
        var logger = new LoggerConfiguration().MinimumLevel.Debug().Enrich.FromLogContext().WriteTo.Sink(_logs).CreateLogger();
        _reconciler = new ScriptedReconciler(logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _queue.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task A_successful_reconcile_is_counted_and_not_repeated()
    {
        Start();
        _queue.Add("ns/a");

        var call = await _reconciler.NextCallAsync();
        call.Complete(ReconcileResult.Done);
        await WaitUntilAsync(async () => await _metrics.ValueOrZeroAsync("controller_reconcile_total{controller=\"jobs\",result=\"success\"}") == 1);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(_reconciler.HasPendingCall);
        Assert.Equal(0, _queue.NumRequeues("ns/a"));
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_growing_backoff_and_counted_as_an_error()
    {
        Start();
        _queue.Add("ns/a");

        (await _reconciler.NextCallAsync()).Fail(new InvalidOperationException("API down"));
        await WaitUntilAsync(() => Task.FromResult(_queue.DelayedCount == 1));
        _time.Advance(TimeSpan.FromSeconds(1));
        (await _reconciler.NextCallAsync()).Fail(new InvalidOperationException("API down"));
        await WaitUntilAsync(() => Task.FromResult(_queue.DelayedCount == 1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_reconciler.HasPendingCall); // the second retry waits 2 s
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await _reconciler.NextCallAsync();
        third.Complete(ReconcileResult.Done);

        await WaitUntilAsync(async () => await _metrics.ValueOrZeroAsync("controller_reconcile_total{controller=\"jobs\",result=\"success\"}") == 1);
        Assert.Equal(2, await _metrics.ValueAsync("controller_reconcile_errors_total{controller=\"jobs\"}"));
        Assert.Equal(0, _queue.NumRequeues("ns/a")); // success forgets the backoff
        Assert.Contains(_logs.Events, e => e.Exception?.Message == "API down" && e.Properties["Key"].ToString() == "\"ns/a\"");
    }

    [Fact]
    public async Task RequeueAfter_reconciles_again_once_the_delay_has_passed()
    {
        Start();
        _queue.Add("ns/a");
        (await _reconciler.NextCallAsync()).Complete(ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30)));
        await WaitUntilAsync(() => Task.FromResult(_queue.DelayedCount == 1));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(_reconciler.HasPendingCall);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("ns/a", (await _reconciler.NextCallAsync()).Key);
    }

    [Fact]
    public async Task RequeueWithBackoff_retries_rate_limited_without_counting_an_error()
    {
        Start();
        _queue.Add("ns/a");
        (await _reconciler.NextCallAsync()).Complete(ReconcileResult.RequeueWithBackoff);
        await WaitUntilAsync(() => Task.FromResult(_queue.DelayedCount == 1));
        _time.Advance(TimeSpan.FromSeconds(1));
        (await _reconciler.NextCallAsync()).Complete(ReconcileResult.RequeueWithBackoff);
        await WaitUntilAsync(() => Task.FromResult(_queue.DelayedCount == 1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_reconciler.HasPendingCall); // the second retry waits 2 s, as an error's would
        _time.Advance(TimeSpan.FromSeconds(1));
        (await _reconciler.NextCallAsync()).Complete(ReconcileResult.Done);

        await WaitUntilAsync(async () => await _metrics.ValueOrZeroAsync("controller_reconcile_total{controller=\"jobs\",result=\"success\"}") == 1);
        Assert.Equal(2, await _metrics.ValueAsync("controller_reconcile_total{controller=\"jobs\",result=\"requeue\"}"));
        Assert.Equal(0, await _metrics.ValueOrZeroAsync("controller_reconcile_errors_total{controller=\"jobs\"}"));
    }

    [Fact]
    public async Task Workers_bound_the_concurrency_and_never_share_a_key()
    {
        Start(workers: 2);
        foreach (var key in new[] { "a", "b", "c" })
        {
            _queue.Add(key);
        }

        var first = await _reconciler.NextCallAsync();
        var second = await _reconciler.NextCallAsync();
        _queue.Add(first.Key); // re-added while in flight: must wait for Done

        Assert.False(_reconciler.HasPendingCall);
        first.Complete(ReconcileResult.Done);
        var third = await _reconciler.NextCallAsync();
        Assert.Equal("c", third.Key);
        second.Complete(ReconcileResult.Done);
        var fourth = await _reconciler.NextCallAsync();
        Assert.Equal(first.Key, fourth.Key);
        Assert.Equal(2, _reconciler.MaxConcurrent);
    }

    [Fact]
    public async Task Every_log_line_of_a_reconcile_carries_the_key_and_controller()
    {
        Start();
        _queue.Add("team/job-7");
        (await _reconciler.NextCallAsync()).Complete(ReconcileResult.Done);
        await WaitUntilAsync(() => Task.FromResult(_logs.Events.Any(e => e.MessageTemplate.Text == "Reconciled")));

        var lines = _logs.Events.Where(e => e.Properties.ContainsKey("Key")).ToList();
        Assert.Contains(lines, e => e.MessageTemplate.Text == "reconciling {Name}");
        Assert.All(lines, e =>
        {
            Assert.Equal("\"team/job-7\"", e.Properties["Key"].ToString());
            Assert.Equal("\"jobs\"", e.Properties["Controller"].ToString());
        });
    }

    [Fact]
    public async Task Stopping_cancels_the_reconcile_in_flight_and_ends_the_run()
    {
        Start();
        _queue.Add("a");
        var call = await _reconciler.NextCallAsync();

        await _stop.CancelAsync();

        await _run!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(call.Token.IsCancellationRequested);
        Assert.True(_queue.IsShuttingDown);
    }

    [Fact]
    public void Zero_workers_is_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Controller<string>("x", _queue, _reconciler, new ControllerOptions { Workers = 0 }));
        Assert.Contains("Workers", error.Message, StringComparison.Ordinal);
    }

    private void Start(int workers = 1)
    {
        var controller = new Controller<string>("jobs", _queue, _reconciler, new ControllerOptions
        {
            Workers = workers,
            TimeProvider = _time,
            Metrics = new ControllerMetrics(_metrics.Factory),
            Logger = new LoggerConfiguration().MinimumLevel.Debug().Enrich.FromLogContext().WriteTo.Sink(_logs).CreateLogger(),
        });
        _run = controller.RunAsync(_stop.Token);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met within 10 s.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A reconciler whose calls the test answers one by one.</summary>
    private sealed class ScriptedReconciler(ILogger log) : IReconciler<string>
    {
        private readonly Channel<Call> _calls = Channel.CreateUnbounded<Call>();
        private int _concurrent;
        private int _maxConcurrent;

        public bool HasPendingCall => _calls.Reader.TryPeek(out _);

        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public async Task<Call> NextCallAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _concurrent);
            InterlockedMax(ref _maxConcurrent, now);
            try
            {
                log.Information("reconciling {Name}", key);
                var call = new Call(key, cancellationToken);
                _calls.Writer.TryWrite(call);
                return await call.Result.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _concurrent);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    private sealed record Call(string Key, CancellationToken Token)
    {
        public TaskCompletionSource<ReconcileResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(ReconcileResult result) => Result.SetResult(result);

        public void Fail(Exception error) => Result.SetException(error);
    }
}
