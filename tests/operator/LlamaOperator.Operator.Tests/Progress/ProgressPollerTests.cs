using System.Threading.Channels;
using k8s;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Operator.Progress;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.Caching;

namespace LlamaOperator.Operator.Tests.Progress;

/// <summary>Progress is read in the background per job; the job is enqueued when its reading changes or was demanded.</summary>
public sealed class ProgressPollerTests : IDisposable
{
    private static readonly ObjectKey Key = new("research", "tiny");
    private readonly TempFolder _folder = new();
    private readonly Kubernetes _unused = new(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }); // local storage reads no Secret
    private readonly Channel<ObjectKey> _enqueued = Channel.CreateUnbounded<ObjectKey>();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _unused.Dispose();
        _folder.Dispose();
    }

    private ResolvedJob Job() => JobResolver.Resolve(TestJobs.ThreeStages("research", _folder.Path));

    private ProgressPoller Poller(TimeSpan interval)
    {
        var poller = new ProgressPoller(_unused, interval, interval, TimeSpan.FromSeconds(5), key => _enqueued.Writer.TryWrite(key), Serilog.Core.Logger.None);
        _ = poller.RunAsync(_stop.Token);
        return poller;
    }

    private async Task EnqueuedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(Key, await _enqueued.Reader.ReadAsync(timeout.Token));
    }

    [Fact]
    public async Task A_polled_job_is_enqueued_with_each_new_reading_and_reconciles_read_only_the_last_one()
    {
        var trainer = new TrainerOutput(_folder.Path);
        await trainer.HeartbeatAsync("pretrain", 0, step: 1, tokensPerSecond: 100);
        var poller = Poller(TimeSpan.FromMilliseconds(50));

        poller.Latest(Key, Job(), poll: true); // starts the job's loop: the first read runs in the background
        await EnqueuedAsync();
        Assert.Equal(1, poller.Latest(Key, Job(), poll: true)!.Progress.Heartbeat!.Step);

        await trainer.HeartbeatAsync("pretrain", 0, step: 2, tokensPerSecond: 100);
        await EnqueuedAsync();
        Assert.Equal(2, poller.Latest(Key, Job(), poll: true)!.Progress.Heartbeat!.Step);
    }

    [Fact]
    public async Task A_demanded_read_starts_after_the_demand_even_when_the_job_is_not_polled()
    {
        var trainer = new TrainerOutput(_folder.Path);
        await trainer.HeartbeatAsync("pretrain", 0, step: 1, tokensPerSecond: 100);
        var poller = Poller(TimeSpan.FromMilliseconds(50));
        poller.Latest(Key, Job(), poll: false);
        await EnqueuedAsync();
        await trainer.HeartbeatAsync("pretrain", 0, step: 2, tokensPerSecond: 100);
        await Task.Delay(200);
        Assert.Equal(1, poller.Latest(Key, Job(), poll: false)!.Progress.Heartbeat!.Step); // not polled: no read since

        var demanded = poller.Demand(Key);

        await EnqueuedAsync();
        var reading = poller.Latest(Key, Job(), poll: false)!;
        Assert.True(reading.Number >= demanded);
        Assert.Equal(2, reading.Progress.Heartbeat!.Step);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_last_good_progress_and_says_why()
    {
        await new TrainerOutput(_folder.Path).HeartbeatAsync("pretrain", 0, step: 7, tokensPerSecond: 100);
        var poller = Poller(TimeSpan.FromMilliseconds(50));
        poller.Latest(Key, Job(), poll: true);
        await EnqueuedAsync();

        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "heartbeat.json"), "{ not json");

        await EnqueuedAsync();
        var reading = poller.Latest(Key, Job(), poll: true)!;
        Assert.Equal(7, reading.Progress.Heartbeat!.Step);
        Assert.Contains(_folder.Path, reading.Progress.Unavailable);
    }

    [Fact]
    public async Task A_finished_trainers_heartbeat_without_a_loss_is_read_and_a_demanded_read_after_it_lands()
    {
        // A trainer that finished writes its last heartbeat with loss NaN; a diverged one may too.
        var trainer = new TrainerOutput(_folder.Path);
        var evals = new LlamaTrainer.Storage.Checkpoints.CheckpointEvals { ShortContextLoss = 2.0, Needle = [new LlamaTrainer.Storage.Checkpoints.NeedleResult(256, 1.0, 4)] };
        await trainer.CommitAsync("long-context", 1, step: 8, stageEnd: true, lengthIndex: 0, evals: evals);
        await trainer.HeartbeatAsync("pretrain", 0, step: 8, tokensPerSecond: 0, loss: double.NaN, state: LlamaTrainer.Storage.Progress.TrainerState.Finished);
        var poller = Poller(TimeSpan.FromMilliseconds(50));
        poller.Latest(Key, Job(), poll: true);
        await EnqueuedAsync();
        var first = poller.Latest(Key, Job(), poll: true)!;
        Assert.True(double.IsNaN(first.Progress.Heartbeat!.Loss!.Value));

        await Task.Delay(300); // several reads of the same store
        while (_enqueued.Reader.TryRead(out _))
        {
        }

        Assert.False(_enqueued.Reader.TryRead(out _), "an unchanged store, evals included, enqueues nothing");
        var demanded = poller.Demand(Key);
        await EnqueuedAsync();
        Assert.True(poller.Latest(Key, Job(), poll: true)!.Number >= demanded);
    }

    [Fact]
    public async Task A_read_loop_that_failed_is_started_again_by_the_next_lookup()
    {
        await new TrainerOutput(_folder.Path).HeartbeatAsync("pretrain", 0, step: 3, tokensPerSecond: 100);
        var calls = 0;
        var poller = new ProgressPoller(
            _unused, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5),
            key =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("a bug after the read"); // kills the job's loop
                }

                _enqueued.Writer.TryWrite(key);
            },
            Serilog.Core.Logger.None);
        _ = poller.RunAsync(_stop.Token);
        poller.Latest(Key, Job(), poll: true);
        await Eventually.HoldsAsync(() => Volatile.Read(ref calls) == 1, "the first reading's enqueue failed");

        // Reconciles keep looking the job up; without a restart nothing would read (or enqueue) again.
        await Eventually.HoldsAsync(
            () =>
            {
                poller.Latest(Key, Job(), poll: true);
                return _enqueued.Reader.TryRead(out _);
            },
            "a reading enqueued by a restarted loop");
        Assert.Equal(3, poller.Latest(Key, Job(), poll: true)!.Progress.Heartbeat!.Step);
    }
}
