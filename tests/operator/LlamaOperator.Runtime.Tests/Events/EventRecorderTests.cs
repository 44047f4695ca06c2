using System.Threading.Channels;
using k8s.Models;
using LlamaOperator.Runtime.Events;
using Microsoft.Extensions.Time.Testing;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Events;

public sealed class EventRecorderTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly MemorySink _sink = new();
    private readonly TestMetrics _metrics = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly EventRecorder _recorder;
    private readonly V1ConfigMap _job = ConfigMap("job1", "7", "team");
    private Task? _run;

    public EventRecorderTests()
    {
        _recorder = new EventRecorder(_sink, new EventRecorderOptions
        {
            Component = "llama-operator",
            Host = "operator-0",
            BufferCapacity = 3,
            AggregationWindow = TimeSpan.FromMinutes(10),
            TimeProvider = _time,
            MetricFactory = _metrics.Factory,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task The_first_event_is_created_with_its_object_source_and_timestamps()
    {
        Start();
        _recorder.Record(_job, EventType.Warning, "PodFailed", "pod job1-w3 exited 137");

        var created = Assert.IsType<Corev1Event>(await _sink.NextAsync());
        Assert.Equal("team", created.Metadata.NamespaceProperty);
        Assert.StartsWith("job1.", created.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(("Warning", "PodFailed", "pod job1-w3 exited 137", 1), (created.Type, created.Reason, created.Message, created.Count!.Value));
        Assert.Equal(("ConfigMap", "job1", "team", "uid-job1"), (created.InvolvedObject.Kind, created.InvolvedObject.Name, created.InvolvedObject.NamespaceProperty, created.InvolvedObject.Uid));
        Assert.Equal(("llama-operator", "operator-0"), (created.Source.Component, created.Source.Host));
        Assert.Equal(_time.GetUtcNow().UtcDateTime, created.FirstTimestamp);
        Assert.Equal(created.FirstTimestamp, created.LastTimestamp);
    }

    [Fact]
    public async Task Repeats_within_the_window_raise_the_count_of_the_same_event()
    {
        Start();
        _recorder.Record(_job, EventType.Normal, "Scheduled", "4 pods bound");
        var created = Assert.IsType<Corev1Event>(await _sink.NextAsync());

        _time.Advance(TimeSpan.FromMinutes(3));
        _recorder.Record(_job, EventType.Normal, "Scheduled", "4 pods bound");
        _time.Advance(TimeSpan.FromMinutes(9)); // within the window of the previous repeat
        _recorder.Record(_job, EventType.Normal, "Scheduled", "4 pods bound");

        var second = Assert.IsType<CountUpdate>(await _sink.NextAsync());
        var third = Assert.IsType<CountUpdate>(await _sink.NextAsync());
        Assert.Equal(new CountUpdate("team", created.Metadata.Name, 2, created.FirstTimestamp!.Value.AddMinutes(3)), second);
        Assert.Equal(new CountUpdate("team", created.Metadata.Name, 3, created.FirstTimestamp!.Value.AddMinutes(12)), third);
        Assert.Single(_sink.Created);
    }

    [Fact]
    public async Task A_repeat_after_the_window_or_with_another_message_is_a_new_event()
    {
        Start();
        _recorder.Record(_job, EventType.Normal, "Scheduled", "4 pods bound");
        await _sink.NextAsync();
        _recorder.Record(_job, EventType.Normal, "Scheduled", "8 pods bound");
        Assert.IsType<Corev1Event>(await _sink.NextAsync());

        _time.Advance(TimeSpan.FromMinutes(11));
        _recorder.Record(_job, EventType.Normal, "Scheduled", "4 pods bound");

        Assert.IsType<Corev1Event>(await _sink.NextAsync());
        Assert.Equal(3, _sink.Created.Count);
        Assert.Equal(3, _sink.Created.Select(e => e.Metadata.Name).Distinct().Count());
    }

    [Fact]
    public async Task An_event_deleted_on_the_server_is_created_again()
    {
        Start();
        _recorder.Record(_job, EventType.Normal, "Scheduled", "x");
        await _sink.NextAsync();
        _sink.ForgetAll();

        _recorder.Record(_job, EventType.Normal, "Scheduled", "x");

        Assert.IsType<CountUpdate>(await _sink.NextAsync()); // tried, found gone
        Assert.IsType<Corev1Event>(await _sink.NextAsync());
    }

    [Fact]
    public async Task A_full_buffer_drops_and_counts_instead_of_blocking()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.True(_recorder.Record(_job, EventType.Normal, "Tick", $"{i}"));
        }

        Assert.False(_recorder.Record(_job, EventType.Normal, "Tick", "overflow"));
        Assert.False(_recorder.Record(_job, EventType.Normal, "Tick", "overflow"));

        Assert.Equal(2, _recorder.Dropped);
        Assert.Equal(2, await _metrics.ValueAsync("events_dropped_total{component=\"llama-operator\"}"));
        Start();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"{i}", Assert.IsType<Corev1Event>(await _sink.NextAsync()).Message);
        }
    }

    [Fact]
    public async Task A_failed_write_is_counted_and_later_events_still_go_out()
    {
        _sink.FailNextCreate = true;
        Start();
        _recorder.Record(_job, EventType.Warning, "A", "first");
        _recorder.Record(_job, EventType.Warning, "B", "second");

        Assert.Equal("second", Assert.IsType<Corev1Event>(await _sink.NextAsync()).Message);
        Assert.Equal(1, await _metrics.ValueAsync("events_write_failures_total{component=\"llama-operator\"}"));
    }

    [Fact]
    public async Task Long_messages_are_truncated_and_cluster_scoped_objects_report_into_default()
    {
        Start();
        _recorder.Record(ConfigMap("node-1", "1", null), EventType.Normal, "Big", new string('x', 5000));

        var created = Assert.IsType<Corev1Event>(await _sink.NextAsync());
        Assert.Equal(1024, created.Message.Length);
        Assert.Equal("default", created.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task Objects_from_a_list_without_kind_are_described_by_their_model_type()
    {
        Start();
        var listed = ConfigMap("cm", "1");
        listed.Kind = null;
        listed.ApiVersion = null;
        _recorder.Record(listed, EventType.Normal, "Seen", "x");

        var created = Assert.IsType<Corev1Event>(await _sink.NextAsync());
        Assert.Equal(("ConfigMap", "v1"), (created.InvolvedObject.Kind, created.InvolvedObject.ApiVersion));
    }

    private void Start() => _run = _recorder.RunAsync(_stop.Token);

    private sealed record CountUpdate(string Namespace, string Name, int Count, DateTime LastTimestamp);

    /// <summary>An in-memory event store that reports every call in order.</summary>
    private sealed class MemorySink : IEventSink
    {
        private readonly Channel<object> _calls = Channel.CreateUnbounded<object>();
        private readonly HashSet<string> _existing = [];

        public List<Corev1Event> Created { get; } = [];

        public bool FailNextCreate { get; set; }

        public void ForgetAll()
        {
            lock (_existing)
            {
                _existing.Clear();
            }
        }

        public async Task<object> NextAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public Task CreateAsync(Corev1Event e, CancellationToken cancellationToken)
        {
            if (FailNextCreate)
            {
                FailNextCreate = false;
                throw new HttpRequestException("503 Service Unavailable");
            }

            lock (_existing)
            {
                _existing.Add(e.Metadata.Name);
                Created.Add(e);
            }

            _calls.Writer.TryWrite(e);
            return Task.CompletedTask;
        }

        public Task<bool> UpdateCountAsync(string @namespace, string name, int count, DateTime lastTimestamp, CancellationToken cancellationToken)
        {
            _calls.Writer.TryWrite(new CountUpdate(@namespace, name, count, lastTimestamp));
            lock (_existing)
            {
                return Task.FromResult(_existing.Contains(name));
            }
        }
    }
}
