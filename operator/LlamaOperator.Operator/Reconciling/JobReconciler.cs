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
/// One reconcile of a LlamaTrainingJob: observe (caches + storage), decide (the pure lifecycle), write the status
/// when it changed (intent first: a restart counted in status survives a crash before its pods are deleted), then
/// record the events and perform the actions. Every log line carries Job and Stage.
/// </summary>
public sealed class JobReconciler(
    ClusterCaches caches,
    ProgressSource progress,
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
        var children = ChildrenObserver.Observe(job, caches);
        ProgressRead? read = null;
        JobObservation? observation = null;

        async Task<JobDecision> DecideAsync(LlamaTrainingJob current)
        {
            observation = JobObservation.Of(current, children, ObservedProgress.None, settings.Time.GetUtcNow().UtcDateTime);
            if (observation.Resolved is not null)
            {
                // An exited pod is judged against storage as it is now: its stage-end checkpoint was committed before it exited.
                var fresh = children.Pods.Any(p => p.IsFinished) || children.AveragingPod?.IsFinished == true;
                read ??= await progress.ReadAsync(key, observation.Resolved, fresh, cancellationToken);
                observation = observation with { Progress = read.Progress with { Unavailable = read.Error } };
            }

            return LifecycleDecider.Decide(observation, settings.Lifecycle);
        }

        var decision = await DecideAsync(job);
        var write = await status.WriteAsync(job, decision, DecideAsync, cancellationToken);
        if (write is null)
        {
            Forget(key);
            return ReconcileResult.Done;
        }

        if (write.Written)
        {
            _written[key] = write.Job.Metadata.ResourceVersion;
            // Progress updates are written every poll; only phase changes are worth a line at Information.
            var level = write.Decision.Status.Phase != job.Status?.Phase ? Serilog.Events.LogEventLevel.Information : Serilog.Events.LogEventLevel.Debug;
            log.Write(level, "Status written: phase {Phase}, step {Step}", write.Decision.Status.Phase, write.Decision.Status.Progress?.Step);
        }

        foreach (var e in write.Decision.Events)
        {
            events.Record(write.Job, e.Warning ? EventType.Warning : EventType.Normal, e.Reason, e.Message);
            log.Write(e.Warning ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Information, "{Reason}: {Message}", e.Reason, e.Message);
        }

        if (read is { NewError: true, Error: { } storageError })
        {
            events.Record(write.Job, EventType.Warning, "ProgressUnavailable", $"{storageError}; retrying, the last progress read stands meanwhile");
        }

        if (observation!.Resolved is { } resolved && write.Decision.Actions.Count > 0)
        {
            await executor.ExecuteAsync(write.Job, resolved, write.Decision.Status, write.Decision.Actions, log, cancellationToken);
        }

        metrics.Observe(key, write.Decision.Status, observation.Now);
        return Requeue(write.Decision, read?.Error is not null);
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

    private ReconcileResult Requeue(JobDecision decision, bool storageFailed)
    {
        var after = decision.RequeueAfter;
        if (decision.Status.Phase is JobPhase.Scheduling or JobPhase.Running or JobPhase.Restarting or JobPhase.Averaging)
        {
            after = Min(after, settings.ProgressPollInterval);
        }

        if (storageFailed)
        {
            after = Min(after, settings.StorageRetry);
        }

        return after is { } delay ? ReconcileResult.RequeueAfter(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1)) : ReconcileResult.Done;
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    private void Forget(ObjectKey key)
    {
        _written.TryRemove(key, out _);
        progress.Forget(key);
        metrics.Forget(key);
    }
}
