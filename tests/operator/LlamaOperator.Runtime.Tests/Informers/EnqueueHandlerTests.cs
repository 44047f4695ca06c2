using k8s.Models;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Queue;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Informers;

public sealed class EnqueueHandlerTests : IDisposable
{
    private readonly WorkQueue<ObjectKey> _queue = new("handlers", new WorkQueueOptions<ObjectKey> { Metrics = new WorkQueueMetrics(new TestMetrics().Factory) });

    public void Dispose() => _queue.Dispose();

    [Fact]
    public async Task Self_mapping_enqueues_the_object_key_once_per_change()
    {
        var handler = new EnqueueHandler<V1ConfigMap>(_queue, KeyMappers.Self);
        handler.OnAdd(ConfigMap("a", "1"));
        handler.OnUpdate(ConfigMap("a", "1"), ConfigMap("a", "2"));

        Assert.Equal(1, _queue.Length);
        Assert.Equal(new ObjectKey("default", "a"), (await _queue.GetAsync()).Key);
    }

    [Fact]
    public async Task Owned_objects_map_to_their_controller_owner_of_the_right_kind_and_group()
    {
        var handler = new EnqueueHandler<V1ConfigMap>(_queue, KeyMappers.ControllerOwner("llamaoperator.dev", "LlamaTrainingJob"));
        handler.OnAdd(ConfigMap("pod-0", "1", "team", owners: [Owner("LlamaTrainingJob", "job1")]));
        handler.OnAdd(ConfigMap("pod-1", "1", "team", owners: [Owner("LlamaTrainingJob", "not-controller", controller: false)]));
        handler.OnAdd(ConfigMap("pod-2", "1", "team", owners: [Owner("LlamaTrainingJob", "other-group", apiVersion: "example.com/v1")]));
        handler.OnDelete(ConfigMap("pod-3", "1", "team", owners: [Owner("LlamaTrainingJob", "job1")]));

        Assert.Equal(1, _queue.Length);
        Assert.Equal(new ObjectKey("team", "job1"), (await _queue.GetAsync()).Key);
    }

    [Fact]
    public async Task Label_mapping_uses_the_label_value_and_an_update_reaches_old_and_new_owner()
    {
        var handler = new EnqueueHandler<V1ConfigMap>(_queue, KeyMappers.LabelValue("llamaoperator.dev/job"));
        handler.OnUpdate(
            ConfigMap("p", "1", labels: new Dictionary<string, string> { ["llamaoperator.dev/job"] = "old" }),
            ConfigMap("p", "2", labels: new Dictionary<string, string> { ["llamaoperator.dev/job"] = "new" }));
        handler.OnAdd(ConfigMap("unlabelled", "1"));

        Assert.Equal(new ObjectKey("default", "old"), (await _queue.GetAsync()).Key);
        Assert.Equal(new ObjectKey("default", "new"), (await _queue.GetAsync()).Key);
        Assert.Equal(0, _queue.Length);
    }

    [Fact]
    public void Generation_filter_skips_status_only_updates()
    {
        var handler = new EnqueueHandler<V1ConfigMap>(_queue, KeyMappers.Self, UpdateFilters.GenerationChanged);
        handler.OnUpdate(ConfigMap("a", "1", generation: 1), ConfigMap("a", "2", generation: 1));
        Assert.Equal(0, _queue.Length);

        handler.OnUpdate(ConfigMap("a", "2", generation: 1), ConfigMap("a", "3", generation: 2));
        Assert.Equal(1, _queue.Length);
    }
}
