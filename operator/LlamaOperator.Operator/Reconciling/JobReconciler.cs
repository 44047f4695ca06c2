using System.Collections.Concurrent;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Operator.Actions;
using LlamaOperator.Operator.Metrics;
using LlamaOperator.Operator.Observation;
using LlamaOperator.Operator.Progress;
using LlamaOperator.Operator.Status;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Controllers;
using LlamaOperator.Runtime.Events;
using Serilog;
using Serilog.Context;

namespace LlamaOperator.Operator.Reconciling;

/// <summary>
/// One reconcile of a LlamaTrainingJob, one way: observe (caches and the progress poller's last reading, no I/O but
/// a read of the job while the cache lags our own status write), decide (the pure lifecycle, which renders the
/// objects its actions carry), act: write the status when it changed (intent first: a restart counted in status
/// survives a crash before its pods are deleted), record the events, execute the actions. Nothing acted on goes
/// back into a decision: a 409 Conflict requeues the job, and the next reconcile decides on a fresh observation.
/// Every log line carries Job and Stage.
/// </summary>
public sealed class JobReconciler(
    ClusterCaches caches,
    ProgressPoller progress,
    ActionExecutor executor,
    StatusWriter status,
    EventRecorder events,
    JobMetrics metrics,
    ReconcilerSettings settings,
    ILogger log) : IReconciler<ObjectKey>
{
    // The resourceVersion of our last status write per job until the cache shows it: a reconcile in between would
    // decide on a stale status (and, say, re-create a gang it has just deleted).
    private readonly ConcurrentDictionary<ObjectKey, string> _written = new();

    // Per job with exited pods: how many, and the number of the progress read demanded when they were first seen.
    private readonly ConcurrentDictionary<ObjectKey, (int Finished, long Read)> _demanded = new();

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var cached = caches.Jobs.Get(key);
        if (cached is null)
        {
            Forget(key);
            return ReconcileResult.Done;
        }

        var job = await CurrentAsync(key, cached, cancellationToken);
        if (job is null)
        {
            Forget(key);
            return ReconcileResult.Done;
        }

        using var jobContext = LogContext.PushProperty("Job", key.ToString());
        using var stageContext = LogContext.PushProperty("Stage", job.Status?.Stage?.Name ?? "");
        var now = settings.Time.GetUtcNow().UtcDateTime;
        var children = ChildrenObserver.Observe(job, caches);
        var observation = JobObservation.Of(job, children, ObservedProgress.None, now);
        if (observation.Resolved is { } resolved)
        {
            var reading = progress.Latest(key, resolved, poll: job.Status?.Phase is not (JobPhase.Succeeded or JobPhase.Failed or JobPhase.Suspended));
            if (reading is null || reading.Number < FreshReadNeeded(key, children))
            {
                return ReconcileResult.RequeueAfter(settings.ProgressPollInterval); // the poller enqueues the job when the reading lands
            }

            observation = observation with { Progress = reading.Progress };
        }

        var decision = LifecycleDecider.Decide(observation, settings.Lifecycle);
        try
        {
            var write = await status.WriteAsync(job, decision.Status, cancellationToken);
            if (write is null)
            {
                Forget(key);
                return ReconcileResult.Done;
            }

            if (write.Written)
            {
                _written[key] = write.Job.Metadata.ResourceVersion;
                // Progress updates are written every poll; only phase changes are worth a line at Information.
                var level = decision.Status.Phase != job.Status?.Phase ? Serilog.Events.LogEventLevel.Information : Serilog.Events.LogEventLevel.Debug;
                log.Write(level, "Status written: phase {Phase}, step {Step}", decision.Status.Phase, decision.Status.Progress?.Step);
            }

            // The metrics show the written status before its actions run: a scrape that sees a job's pods sees its phase.
            metrics.Observe(key, decision.Status, observation.Now);

            foreach (var e in decision.Events)
            {
                events.Record(write.Job, e.Warning ? EventType.Warning : EventType.Normal, e.Reason, e.Message);
                log.Write(e.Warning ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Information, "{Reason}: {Message}", e.Reason, e.Message);
            }

            await executor.ExecuteAsync(write.Job, decision.Actions, log, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            log.Debug("Conflict ({Message}); retrying on a fresh observation", e.Message);
            return ReconcileResult.RequeueWithBackoff;
        }

        return Requeue(decision);
    }

    /// <summary>
    /// The number of the first progress reading a decision may use: an exited pod is judged against storage read
    /// after it was seen (its stage-end checkpoint was committed before it exited). 0 while no pod has exited.
    /// </summary>
    private long FreshReadNeeded(ObjectKey key, ObservedChildren children)
    {
        var finished = children.Pods.Count(p => p.IsFinished) + (children.AveragingPod?.IsFinished == true ? 1 : 0);
        if (finished == 0)
        {
            _demanded.TryRemove(key, out _);
            return 0;
        }

        if (!_demanded.TryGetValue(key, out var demanded) || demanded.Finished != finished)
        {
            demanded = (finished, progress.Demand(key));
            _demanded[key] = demanded;
        }

        return demanded.Read;
    }

    /// <summary>The cached job, unless our last status write has not reached the cache yet: then the API server's (a read).</summary>
    private async Task<LlamaTrainingJob?> CurrentAsync(ObjectKey key, LlamaTrainingJob cached, CancellationToken cancellationToken)
    {
        if (!_written.TryGetValue(key, out var written) || cached.Metadata.ResourceVersion == written)
        {
            _written.TryRemove(key, out _);
            return cached;
        }

        var fresh = await status.ReadAsync(cached, cancellationToken);
        if (fresh is not null)
        {
            _written[key] = fresh.Metadata.ResourceVersion; // cleared once the cache shows this version
        }

        return fresh;
    }

    private ReconcileResult Requeue(JobDecision decision)
    {
        var after = decision.RequeueAfter;
        if (decision.Status.Phase is JobPhase.Scheduling or JobPhase.Running or JobPhase.Restarting or JobPhase.Averaging)
        {
            after = Min(after, settings.ProgressPollInterval);
        }

        return after is { } delay ? ReconcileResult.RequeueAfter(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1)) : ReconcileResult.Done;
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    private void Forget(ObjectKey key)
    {
        _written.TryRemove(key, out _);
        _demanded.TryRemove(key, out _);
        progress.Forget(key);
        metrics.Forget(key);
    }
}
