using Prometheus;

namespace LlamaOperator.Runtime.Controllers;

/// <summary>controller-runtime's reconcile metrics, labelled by controller.</summary>
public sealed class ControllerMetrics
{
    private readonly Counter _reconciles;
    private readonly Counter _errors;
    private readonly Histogram _duration;
    private readonly Gauge _activeWorkers;

    public ControllerMetrics(IMetricFactory? factory = null)
    {
        factory ??= Metrics.DefaultFactory;
        _reconciles = factory.CreateCounter(
            "controller_reconcile_total",
            "Reconciles per controller and result (success, error, requeue, requeue_after).",
            ["controller", "result"]);
        _errors = factory.CreateCounter("controller_reconcile_errors_total", "Reconciles that threw.", ["controller"]);
        _duration = factory.CreateHistogram(
            "controller_reconcile_time_seconds",
            "How long a reconcile takes.",
            new HistogramConfiguration { LabelNames = ["controller"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _activeWorkers = factory.CreateGauge("controller_active_workers", "Workers busy reconciling right now.", ["controller"]);
    }

    internal Bound For(string controller) => new(
        result => _reconciles.WithLabels(controller, result),
        _errors.WithLabels(controller),
        _duration.WithLabels(controller),
        _activeWorkers.WithLabels(controller));

    internal sealed record Bound(
        Func<string, Counter.Child> Reconciles,
        Counter.Child Errors,
        Histogram.Child Duration,
        Gauge.Child ActiveWorkers);
}
