using Prometheus;
using Serilog;

namespace LlamaOperator.Runtime.Events;

public sealed class EventRecorderOptions
{
    /// <summary>The source component written on every event, e.g. "llama-operator".</summary>
    public required string Component { get; init; }

    /// <summary>The host (pod) written as source.host; optional.</summary>
    public string? Host { get; init; }

    /// <summary>Events waiting to be written; when full, new events are dropped and counted.</summary>
    public int BufferCapacity { get; init; } = 1000;

    /// <summary>A repeat of the same reason and message for the same object within this window raises the count of the existing event.</summary>
    public TimeSpan AggregationWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many distinct events are remembered for aggregation.</summary>
    public int MaxTrackedEvents { get; init; } = 4096;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public IMetricFactory? MetricFactory { get; init; }

    public ILogger? Logger { get; init; }
}
