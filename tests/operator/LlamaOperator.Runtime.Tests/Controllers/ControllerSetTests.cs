using LlamaOperator.Runtime.Controllers;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Queue;
using LlamaOperator.Runtime.Tests.Informers;

namespace LlamaOperator.Runtime.Tests.Controllers;

public class ControllerSetTests
{
    [Fact]
    public async Task Controllers_start_only_after_every_cache_synced_and_readiness_follows_the_caches()
    {
        var source = new ScriptedListerWatcher();
        var readiness = new ReadinessGate();
        var set = new ControllerSet(readiness);
        set.Add(new Informer<k8s.Models.V1ConfigMap>("cms", source));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        set.Add("probe", async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var stop = new CancellationTokenSource();
        var run = set.RunAsync(stop.Token);

        await Eventually.HoldsAsync(() => readiness.NotReady().Count == 1, "the informer registered as not ready");
        Assert.Equal(["informer cms"], readiness.NotReady());
        Assert.False(started.Task.IsCompleted);

        source.AnswerList("1");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(readiness.NotReady());

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(readiness.NotReady());
    }

    [Fact]
    public async Task A_failing_part_stops_the_others_and_is_reported()
    {
        var set = new ControllerSet(new ReadinessGate());
        using var queue = new WorkQueue<string>("set-test", new WorkQueueOptions<string> { Metrics = new WorkQueueMetrics(new TestMetrics().Factory) });
        set.Add(new Controller<string>("idle", queue, new NeverCalled(), new ControllerOptions { Metrics = new ControllerMetrics(new TestMetrics().Factory) }));
        set.Add("recorder", _ => Task.FromException(new InvalidOperationException("disk full")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => set.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("recorder failed: disk full", error.Message, StringComparison.Ordinal);
        Assert.True(queue.IsShuttingDown);
    }

    private sealed class NeverCalled : IReconciler<string>
    {
        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) => throw new InvalidOperationException("not expected");
    }
}
