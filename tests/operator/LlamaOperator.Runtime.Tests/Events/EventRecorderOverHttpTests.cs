using k8s;
using LlamaOperator.Runtime.Events;
using LlamaOperator.Runtime.Tests.Cluster;

namespace LlamaOperator.Runtime.Tests.Events;

public sealed class EventRecorderOverHttpTests(DevClusterFixture fixture) : IClassFixture<DevClusterFixture>
{
    [Fact]
    public async Task Repeated_events_become_one_event_with_a_count_on_the_server()
    {
        var ns = await fixture.NewNamespaceAsync();
        var gadget = await fixture.CreateGadgetAsync(Gadget.New(ns, "g", 1));
        var recorder = new EventRecorder(new KubernetesEventSink(fixture.Client), new EventRecorderOptions
        {
            Component = "runtime-test",
            MetricFactory = new TestMetrics().Factory,
        });
        using var stop = new CancellationTokenSource();
        var run = recorder.RunAsync(stop.Token);

        for (var i = 0; i < 3; i++)
        {
            recorder.Record(gadget, EventType.Warning, "Failed", "pod exited 137");
        }

        recorder.Record(gadget, EventType.Normal, "Started", "training");

        var events = fixture.Client.CoreV1;
        await Eventually.HoldsAsync(
            () => events.ListNamespacedEvent(ns).Items is { Count: 2 } items && items.Any(e => e.Reason == "Failed" && e.Count == 3),
            "two events, one counted 3 times");
        var failed = events.ListNamespacedEvent(ns).Items.Single(e => e.Reason == "Failed");
        Assert.Equal(("Gadget", "g", gadget.Metadata.Uid, "runtime-test"), (failed.InvolvedObject.Kind, failed.InvolvedObject.Name, failed.InvolvedObject.Uid, failed.Source.Component));
        Assert.Equal("Warning", failed.Type);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
