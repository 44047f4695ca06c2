using System.Collections.Concurrent;
using k8s;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Lifecycle;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Progress;
using Serilog;
using ObjectKey = LlamaOperator.Runtime.Caching.ObjectKey;

namespace LlamaOperator.Operator.Progress;

/// <summary>
/// A job's last progress reading: what storage showed (with Unavailable set when it could not be read: the rest is
/// then the last good reading) and the reading's number (1 for the job's first read), to tell which reads started
/// after a demand.
/// </summary>
public sealed record ProgressReading(ObservedProgress Progress, long Number);

/// <summary>
/// Reads each job's progress from its checkpoint store in the background, one loop per job, and keeps the last
/// reading: a reconcile only looks it up, so one job's slow or hanging store never holds a reconcile worker. A
/// reading that differs from the one before (or that a reconcile demanded) enqueues the job through
/// <c>changed</c>. A failed read keeps the last good progress (a storage outage must not look like a hung trainer).
/// </summary>
/// <remarks>
/// Demand a read when a decision hinges on the newest checkpoint: a trainer commits its stage-end checkpoint and then
/// exits, so a pod seen exited must be judged against a read that started after it was seen, never an older one.
/// </remarks>
/// <param name="interval">How often a polled job's store is read.</param>
/// <param name="retry">How soon a store that could not be read is read again.</param>
/// <param name="timeout">A read that takes longer fails: the blob client retries a refused connection for a long while.</param>
/// <param name="changed">Called with the job after a reading that differs from the previous one, or that was demanded.</param>
public sealed class ProgressPoller(IKubernetes client, TimeSpan interval, TimeSpan retry, TimeSpan timeout, Action<ObjectKey> changed, ILogger log)
{
    /// <summary>How long an opened store (and the Secret it was opened with) is reused; a failed read reopens it at once.</summary>
    private static readonly TimeSpan StoreReuse = TimeSpan.FromMinutes(1);

    private readonly BlobCredentialReader _credentials = new(client);
    private readonly ConcurrentDictionary<ObjectKey, Poll> _polls = new();
    private volatile bool _stopped;

    /// <summary>
    /// The job's last reading of the store <paramref name="resolved"/> names, null before its first read. Starts the
    /// job's loop (again, for a store that moved); <paramref name="poll"/> says whether it reads every interval or
    /// only on demand (a finished job).
    /// </summary>
    public ProgressReading? Latest(ObjectKey job, ResolvedJob resolved, bool poll)
    {
        var location = CheckpointLocation.Of(resolved);
        var current = _polls.AddOrUpdate(
            job,
            _ => Start(job, resolved.Namespace, location, poll),
            (_, existing) =>
            {
                if (existing.Location == location && !existing.Loop.IsFaulted)
                {
                    return existing;
                }

                if (existing.Loop.Exception is { } failure)
                {
                    // A bug, not a storage failure (those are caught per read): say so, and read on rather than hang the job.
                    log.Error(failure.InnerException ?? failure, "Reading progress of {Job} failed; reading again", job.ToString());
                }

                existing.Cancel.Cancel();
                return Start(job, resolved.Namespace, location, poll);
            });
        if (poll && !current.Polling && current.Wake.CurrentCount == 0)
        {
            current.Wake.Release(); // it waited for a demand only
        }

        current.Polling = poll;
        return current.Reading;
    }

    /// <summary>Asks for a read that starts from now on; returns the number that reading (or a later one) will have.</summary>
    public long Demand(ObjectKey job)
    {
        if (!_polls.TryGetValue(job, out var poll))
        {
            return 1;
        }

        var number = Interlocked.Read(ref poll.Started) + 1;
        poll.Demanded = true;
        if (poll.Wake.CurrentCount == 0)
        {
            poll.Wake.Release();
        }

        return number;
    }

    /// <summary>Stops a deleted job's loop.</summary>
    public void Forget(ObjectKey job)
    {
        if (_polls.TryRemove(job, out var poll))
        {
            poll.Cancel.Cancel();
        }
    }

    /// <summary>Runs until cancelled (the leader term), then stops every loop.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        _stopped = true;
        foreach (var poll in _polls.Values)
        {
            await poll.Cancel.CancelAsync();
        }

        await Task.WhenAll(_polls.Values.Select(p => p.Loop));
    }

    private Poll Start(ObjectKey job, string ns, CheckpointLocation location, bool polling)
    {
        var poll = new Poll(location, new CancellationTokenSource()) { Polling = polling }; // set before the loop first waits
        if (!_stopped)
        {
            poll.Loop = Task.Run(() => LoopAsync(job, ns, poll), CancellationToken.None);
        }

        return poll;
    }

    private async Task LoopAsync(ObjectKey job, string ns, Poll poll)
    {
        var cancellationToken = poll.Cancel.Token;
        IObjectStore? store = null;
        var openedAt = DateTimeOffset.MinValue;
        ObservedProgress? last = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var demanded = poll.Demanded;
                poll.Demanded = false;
                var number = Interlocked.Increment(ref poll.Started);
                ObservedProgress progress;
                using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    deadline.CancelAfter(timeout);
                    try
                    {
                        // Reusing the store keeps its credential (a workload-identity token) instead of fetching one per read.
                        if (store is null || DateTimeOffset.UtcNow - openedAt >= StoreReuse)
                        {
                            store = ObjectStores.Open(poll.Location.Uri, await _credentials.ReadAsync(ns, poll.Location, deadline.Token));
                            openedAt = DateTimeOffset.UtcNow;
                        }

                        progress = ProgressMapping.Map(await new ProgressReader(store, log).ReadAsync(deadline.Token));
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                    {
                        store = null;
                        var error = $"reading progress from {poll.Location.Uri}: {(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message)}";
                        log.Write(poll.Reading?.Progress.Unavailable != error ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Debug, "Could not read progress from {CheckpointUri}: {Error}", poll.Location.Uri, e.Message);
                        progress = (poll.Reading?.Progress ?? ObservedProgress.None) with { Unavailable = error };
                    }
                }

                poll.Reading = new ProgressReading(progress, number);
                if (demanded || !Equals(progress, last))
                {
                    changed(job);
                }

                last = progress;
                await poll.Wake.WaitAsync(!poll.Polling ? Timeout.InfiniteTimeSpan : progress.Unavailable is null ? interval : retry, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed class Poll(CheckpointLocation location, CancellationTokenSource cancel)
    {
        public CheckpointLocation Location { get; } = location;

        public CancellationTokenSource Cancel { get; } = cancel;

        public SemaphoreSlim Wake { get; } = new(0);

        public Task Loop { get; set; } = Task.CompletedTask;

        public long Started;

        public volatile bool Demanded;

        public volatile bool Polling = true;

        public volatile ProgressReading? Reading;
    }
}
