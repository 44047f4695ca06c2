using Prometheus;

namespace LlamaOperator.Runtime.Queue;

/// <summary>The work queue metrics of client-go's workqueue package, labelled by queue name.</summary>
public sealed class WorkQueueMetrics
{
    private readonly Gauge _depth;
    private readonly Counter _adds;
    private readonly Histogram _queueDuration;
    private readonly Histogram _workDuration;
    private readonly Counter _retries;

    public WorkQueueMetrics(IMetricFactory? factory = null)
    {
        factory ??= Metrics.DefaultFactory;
        string[] labels = ["name"];
        // 100 µs .. ~7 min: queue latency includes backoff delays, work includes API round trips.
        var buckets = Histogram.ExponentialBuckets(0.0001, 4, 12);
        _depth = factory.CreateGauge("workqueue_depth", "Current number of keys waiting in the queue.", labels);
        _adds = factory.CreateCounter("workqueue_adds_total", "Keys added to the queue (duplicates of a waiting key are not counted).", labels);
        _queueDuration = factory.CreateHistogram(
            "workqueue_queue_duration_seconds",
            "How long a key waits in the queue before a worker takes it.",
            new HistogramConfiguration { LabelNames = labels, Buckets = buckets });
        _workDuration = factory.CreateHistogram(
            "workqueue_work_duration_seconds",
            "How long processing a key takes, from Get to Done.",
            new HistogramConfiguration { LabelNames = labels, Buckets = buckets });
        _retries = factory.CreateCounter("workqueue_retries_total", "Rate-limited re-adds.", labels);
    }

    internal Bound For(string queueName) => new(
        _depth.WithLabels(queueName),
        _adds.WithLabels(queueName),
        _queueDuration.WithLabels(queueName),
        _workDuration.WithLabels(queueName),
        _retries.WithLabels(queueName));

    internal sealed record Bound(
        Gauge.Child Depth,
        Counter.Child Adds,
        Histogram.Child QueueDuration,
        Histogram.Child WorkDuration,
        Counter.Child Retries);
}
