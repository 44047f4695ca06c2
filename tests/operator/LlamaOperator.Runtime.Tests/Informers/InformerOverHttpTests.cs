using k8s;
using k8s.Models;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Tests.Cluster;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Informers;

/// <summary>Informers and lister-watchers against the embedded API server, over HTTP with KubernetesClient.</summary>
public sealed class InformerOverHttpTests(DevClusterFixture fixture) : IClassFixture<DevClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task A_custom_resource_informer_follows_creates_updates_and_deletes_within_its_label_selector()
    {
        var ns = await fixture.NewNamespaceAsync();
        var other = await fixture.NewNamespaceAsync();
        var mine = new Dictionary<string, string> { ["team"] = "a" };
        await fixture.CreateGadgetAsync(Gadget.New(ns, "g1", 1, mine));
        await fixture.CreateGadgetAsync(Gadget.New(ns, "not-mine", 1, new Dictionary<string, string> { ["team"] = "b" }));
        await fixture.CreateGadgetAsync(Gadget.New(other, "elsewhere", 1, mine));
        var informer = new Informer<Gadget>("gadgets", ListerWatchers.CustomResource<Gadget>(Client, Gadget.Group, Gadget.Version, Gadget.Plural, ns, "team=a"));
        var seen = new GadgetEvents();
        informer.AddEventHandler(seen);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);

        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["g1"], informer.Cache.List().Select(g => g.Metadata.Name));

        await fixture.CreateGadgetAsync(Gadget.New(ns, "g2", 2, mine));
        var g1 = await Client.CustomObjects.GetNamespacedCustomObjectAsync<Gadget>(Gadget.Group, Gadget.Version, ns, Gadget.Plural, "g1");
        g1.Spec.Size = 5;
        await Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<Gadget>(g1, Gadget.Group, Gadget.Version, ns, Gadget.Plural, "g1");
        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(Gadget.Group, Gadget.Version, ns, Gadget.Plural, "g2");
        await fixture.CreateGadgetAsync(Gadget.New(ns, "still-not-mine", 1, new Dictionary<string, string> { ["team"] = "b" }));

        await Eventually.HoldsAsync(() => seen.Log.Contains("delete g2"), "the delete of g2 to arrive");
        Assert.Equal(["add g1", "add g2", "update g1 size 5", "delete g2"], seen.Log);
        Assert.Equal(5, informer.Cache.Get(ns, "g1")!.Spec.Size);
        Assert.Equal(1, informer.Cache.Count);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_built_in_informer_is_scoped_to_its_namespace()
    {
        var ns = await fixture.NewNamespaceAsync();
        var other = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("here", null!, ns), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("there", null!, other), other);
        var informer = new Informer<V1ConfigMap>("configmaps", ListerWatchers.ConfigMaps(Client, ns));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("here-too", null!, ns), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("there-too", null!, other), other);

        await Eventually.HoldsAsync(() => informer.Cache.Count == 2, "here-too in the cache");
        Assert.Equal(["here", "here-too"], informer.Cache.List().Select(c => c.Metadata.Name).Order());
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_watch_resumes_after_the_given_version_and_an_expired_version_is_reported_as_gone()
    {
        var ns = await fixture.NewNamespaceAsync();
        var source = ListerWatchers.ConfigMaps(Client, ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before", null!, ns), ns);
        var listed = await source.ListAsync(CancellationToken.None);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after", null!, ns), ns);

        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await foreach (var e in source.WatchAsync(listed.ResourceVersion, cts.Token))
            {
                Assert.Equal((WatchEventType.Added, "after"), (e.Type, e.Object.Metadata.Name));
                break;
            }
        }

        for (var i = 0; i < DevClusterFixture.WatchHistory + 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"churn-{i}", null!, ns), ns);
        }

        await Assert.ThrowsAsync<ResourceVersionExpiredException>(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var unused in source.WatchAsync(listed.ResourceVersion, cts.Token))
            {
            }
        });
    }

    [Fact]
    public async Task An_informer_whose_watch_version_expired_relists_and_catches_up()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("doomed", null!, ns), ns);
        var source = new HeldFirstWatch<V1ConfigMap>(ListerWatchers.ConfigMaps(Client, ns));
        var informer = new Informer<V1ConfigMap>("configmaps", source);
        var deleted = new List<string>();
        informer.AddEventHandler(new DeleteRecorder(name => deleted.Add(name)));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        // While the first watch is held back, more changes happen than the server's watch history keeps.
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("doomed", ns);
        for (var i = 0; i < DevClusterFixture.WatchHistory + 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"churn-{i}", null!, ns), ns);
        }

        source.Release();

        await Eventually.HoldsAsync(() => informer.Cache.Count == DevClusterFixture.WatchHistory + 5, "the relist to bring in every churned object");
        Assert.Null(informer.Cache.Get(ns, "doomed"));
        Assert.Equal(["doomed"], deleted);
        Assert.Equal(2, source.Lists); // the held watch got 410 Gone and the informer relisted
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Delegates to a real lister-watcher but opens its first watch only when released.</summary>
    private sealed class HeldFirstWatch<T>(IListerWatcher<T> inner) : IListerWatcher<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _watches;
        private int _lists;

        public int Lists => Volatile.Read(ref _lists);

        public void Release() => _released.TrySetResult();

        public Task<ListResult<T>> ListAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lists);
            return inner.ListAsync(cancellationToken);
        }

        public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _watches) == 1)
            {
                await _released.Task.WaitAsync(cancellationToken);
            }

            await foreach (var e in inner.WatchAsync(resourceVersion, cancellationToken))
            {
                yield return e;
            }
        }
    }

    private sealed class DeleteRecorder(Action<string> deleted) : IResourceEventHandler<V1ConfigMap>
    {
        public void OnAdd(V1ConfigMap obj)
        {
        }

        public void OnUpdate(V1ConfigMap oldObj, V1ConfigMap newObj)
        {
        }

        public void OnDelete(V1ConfigMap obj) => deleted(obj.Metadata.Name);
    }

    private sealed class GadgetEvents : IResourceEventHandler<Gadget>
    {
        private readonly Lock _gate = new();
        private readonly List<string> _log = [];

        public List<string> Log
        {
            get
            {
                lock (_gate)
                {
                    return [.. _log];
                }
            }
        }

        public void OnAdd(Gadget obj) => Append($"add {obj.Metadata.Name}");

        public void OnUpdate(Gadget oldObj, Gadget newObj) => Append($"update {newObj.Metadata.Name} size {newObj.Spec.Size}");

        public void OnDelete(Gadget obj) => Append($"delete {obj.Metadata.Name}");

        private void Append(string line)
        {
            lock (_gate)
            {
                _log.Add(line);
            }
        }
    }
}
