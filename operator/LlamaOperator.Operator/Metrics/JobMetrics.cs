using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Runtime.Caching;
using Prometheus;

namespace LlamaOperator.Operator.Metrics;

/// <summary>
/// Per-job figures from the status each reconcile decides: jobs by phase, gang restarts by reason (the counters on
/// the job's status, so they survive operator restarts), tokens/s from the heartbeat, and goodput: the tokens trained
/// over the wall time since the job started, restarts, waits and stage transitions included.
/// </summary>
public sealed class JobMetrics
{
    private readonly Gauge _jobs;
    private readonly Gauge _restarts;
    private readonly Gauge _tokensPerSecond;
    private readonly Gauge _goodput;
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, Seen> _seen = [];

    // Kept as jobs enter and leave phases: regrouping every job on each reconcile made a reconcile O(jobs).
    private readonly Dictionary<JobPhase, int> _byPhase = [];

    public JobMetrics(IMetricFactory? factory = null)
    {
        factory ??= Prometheus.Metrics.DefaultFactory;
        _jobs = factory.CreateGauge("llamaop_jobs", "LlamaTrainingJobs by phase.", ["phase"]);
        _restarts = factory.CreateGauge("llamaop_job_restarts", "Gang restarts of a job by reason (status.restarts.byReason).", ["namespace", "job", "reason"]);
        _tokensPerSecond = factory.CreateGauge("llamaop_job_tokens_per_second", "Training throughput of a job's gang at its last heartbeat.", ["namespace", "job"]);
        _goodput = factory.CreateGauge(
            "llamaop_job_goodput_tokens_per_second",
            "Tokens trained over the wall time since the job started (restarts, waits and transitions included).",
            ["namespace", "job"]);
        foreach (var phase in Enum.GetValues<JobPhase>())
        {
            _jobs.WithLabels(phase.ToString()).Set(0);
        }
    }

    public void Observe(ObjectKey key, LlamaTrainingJobStatus status, DateTime now)
    {
        var ns = key.Namespace ?? "";
        var reasons = status.Restarts?.ByReason ?? [];
        lock (_gate)
        {
            var previous = _seen.GetValueOrDefault(key);
            foreach (var gone in previous?.Reasons.Except(reasons.Keys) ?? [])
            {
                _restarts.RemoveLabelled(ns, key.Name, gone);
            }

            var phase = status.Phase ?? JobPhase.Pending;
            _seen[key] = new Seen(phase, [.. reasons.Keys]);
            if (previous?.Phase != phase)
            {
                CountPhase(previous?.Phase, -1);
                CountPhase(phase, +1);
            }
        }

        foreach (var (reason, count) in reasons)
        {
            _restarts.WithLabels(ns, key.Name, reason).Set(count);
        }

        var progress = status.Progress;
        _tokensPerSecond.WithLabels(ns, key.Name).Set(progress?.TokensPerSecond ?? 0);
        var elapsed = status.StartTime is { } start ? (now - start).TotalSeconds : 0;
        _goodput.WithLabels(ns, key.Name).Set(elapsed > 0 && progress?.Tokens is { } tokens ? tokens / elapsed : 0);
    }

    /// <summary>Removes a deleted job's series.</summary>
    public void Forget(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_seen.Remove(key, out var seen))
            {
                return;
            }

            foreach (var reason in seen.Reasons)
            {
                _restarts.RemoveLabelled(key.Namespace ?? "", key.Name, reason);
            }

            _tokensPerSecond.RemoveLabelled(key.Namespace ?? "", key.Name);
            _goodput.RemoveLabelled(key.Namespace ?? "", key.Name);
            CountPhase(seen.Phase, -1);
        }
    }

    /// <summary>Removes every job's series (the leader term ended: a standby reports none).</summary>
    public void Clear()
    {
        List<ObjectKey> keys;
        lock (_gate)
        {
            keys = [.. _seen.Keys];
        }

        foreach (var key in keys)
        {
            Forget(key);
        }
    }

    private void CountPhase(JobPhase? phase, int delta)
    {
        if (phase is { } p)
        {
            var count = _byPhase[p] = _byPhase.GetValueOrDefault(p) + delta;
            _jobs.WithLabels(p.ToString()).Set(count);
        }
    }

    private sealed record Seen(JobPhase Phase, string[] Reasons);
}
