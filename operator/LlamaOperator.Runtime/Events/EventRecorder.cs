using System.Reflection;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Prometheus;
using Serilog;

namespace LlamaOperator.Runtime.Events;

/// <summary>
/// Records core/v1 Events about objects without ever blocking the caller: <see cref="Record"/> only puts
/// the event in a bounded buffer (dropping and counting when it is full); <see cref="RunAsync"/> writes
/// them. A repeat of the same type, reason and message for the same object within the aggregation window
/// raises the existing event's count and lastTimestamp instead of creating a new event, as client-go does.
/// </summary>
public sealed class EventRecorder
{
    private const int MaxMessageLength = 1024;

    private readonly IEventSink _sink;
    private readonly EventRecorderOptions _options;
    private readonly Channel<Pending> _buffer;
    private readonly Dictionary<AggregationKey, Written> _written = [];
    private readonly ILogger _log;
    private readonly Counter.Child _dropped;
    private readonly Counter.Child _failed;
    private long _droppedCount;
    private long _sequence;
    private int _started;

    public EventRecorder(IEventSink sink, EventRecorderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Component, "options.Component");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferCapacity, 1, "options.BufferCapacity");
        _sink = sink;
        _options = options;
        _buffer = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.BufferCapacity) { SingleReader = true });
        _log = (options.Logger ?? Log.Logger).ForContext<EventRecorder>();
        var factory = options.MetricFactory ?? Metrics.DefaultFactory;
        _dropped = factory.CreateCounter("events_dropped_total", "Events dropped because the recorder's buffer was full.", ["component"]).WithLabels(options.Component);
        _failed = factory.CreateCounter("events_write_failures_total", "Events the API server did not accept.", ["component"]).WithLabels(options.Component);
    }

    /// <summary>Events dropped so far because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _droppedCount);

    /// <summary>Queues an event about <paramref name="obj"/>; returns false if it was dropped (buffer full).</summary>
    public bool Record(IKubernetesObject<V1ObjectMeta> obj, EventType type, string reason, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var pending = new Pending(Reference(obj), type, reason, Truncate(message), _options.TimeProvider.GetUtcNow().UtcDateTime);
        if (_buffer.Writer.TryWrite(pending))
        {
            return true;
        }

        Interlocked.Increment(ref _droppedCount);
        _dropped.Inc();
        return false;
    }

    /// <summary>Writes buffered events until cancelled. Write failures are logged and counted, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The event recorder is already running; it has a single writer.");
        }

        try
        {
            await foreach (var pending in _buffer.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await WriteAsync(pending, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    _failed.Inc();
                    _log.Warning(e, "Could not write event {Reason} for {Kind} {Name}", pending.Reason, pending.Object.Kind, pending.Object.Name);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(Pending pending, CancellationToken cancellationToken)
    {
        var key = new AggregationKey(pending.Object.Uid ?? $"{pending.Object.Kind}/{pending.Object.NamespaceProperty}/{pending.Object.Name}", pending.Type, pending.Reason, pending.Message);
        if (_written.TryGetValue(key, out var previous) && pending.At - previous.LastTimestamp <= _options.AggregationWindow)
        {
            var count = previous.Count + 1;
            if (await _sink.UpdateCountAsync(previous.Namespace, previous.Name, count, pending.At, cancellationToken))
            {
                _written[key] = previous with { Count = count, LastTimestamp = pending.At };
                return;
            }
        }

        var e = NewEvent(pending);
        await _sink.CreateAsync(e, cancellationToken);
        Remember(key, new Written(e.Metadata.NamespaceProperty, e.Metadata.Name, 1, pending.At));
    }

    private void Remember(AggregationKey key, Written written)
    {
        if (_written.Count >= _options.MaxTrackedEvents && !_written.ContainsKey(key))
        {
            // Forget the stalest half rather than grow without bound.
            foreach (var stale in _written.OrderBy(kv => kv.Value.LastTimestamp).Take(_written.Count / 2).Select(kv => kv.Key).ToList())
            {
                _written.Remove(stale);
            }
        }

        _written[key] = written;
    }

    private Corev1Event NewEvent(Pending pending)
    {
        var involved = pending.Object;
        // Events of cluster-scoped objects live in "default", as kubectl and client-go expect.
        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var suffix = $"{pending.At.Ticks:x}{Interlocked.Increment(ref _sequence):x}";
        var baseName = involved.Name.Length > 200 ? involved.Name[..200] : involved.Name;
        return new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = $"{baseName}.{suffix}", NamespaceProperty = ns },
            InvolvedObject = involved,
            Type = pending.Type.ToString(),
            Reason = pending.Reason,
            Message = pending.Message,
            Source = new V1EventSource { Component = _options.Component, Host = _options.Host },
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Host ?? "",
            FirstTimestamp = pending.At,
            LastTimestamp = pending.At,
            Count = 1,
        };
    }

    private static V1ObjectReference Reference(IKubernetesObject<V1ObjectMeta> obj)
    {
        var name = obj.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("An event needs an object with metadata.name.", nameof(obj));
        }

        // List items come without kind/apiVersion; the model type's [KubernetesEntity] still knows them.
        var entity = obj.GetType().GetCustomAttribute<KubernetesEntityAttribute>();
        var entityApiVersion = entity is null ? null : string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        return new V1ObjectReference
        {
            ApiVersion = string.IsNullOrEmpty(obj.ApiVersion) ? entityApiVersion : obj.ApiVersion,
            Kind = string.IsNullOrEmpty(obj.Kind) ? entity?.Kind : obj.Kind,
            Name = name,
            NamespaceProperty = obj.Metadata!.NamespaceProperty,
            Uid = obj.Metadata.Uid,
            ResourceVersion = obj.Metadata.ResourceVersion,
        };
    }

    private static string Truncate(string message) => message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 3)] + "...";

    private sealed record Pending(V1ObjectReference Object, EventType Type, string Reason, string Message, DateTime At);

    private readonly record struct AggregationKey(string Object, EventType Type, string Reason, string Message);

    private sealed record Written(string Namespace, string Name, int Count, DateTime LastTimestamp);
}
