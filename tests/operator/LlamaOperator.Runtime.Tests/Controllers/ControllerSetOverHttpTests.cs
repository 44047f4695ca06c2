using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Controllers;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.LeaderElection;
using LlamaOperator.Runtime.Queue;
using LlamaOperator.Runtime.Tests.Cluster;

namespace LlamaOperator.Runtime.Tests.Controllers;

/// <summary>
/// The whole runtime wired as an operator would wire it, against the embedded API server: a leader-elected
/// term runs two informers and a controller that keeps one owned ConfigMap per Gadget.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ControllerSetOverHttpTests(DevClusterFixture fixture) : IClassFixture<DevClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task A_leader_term_reconciles_primaries_and_repairs_owned_objects()
    {
        var ns = await fixture.NewNamespaceAsync();
        var readiness = new ReadinessGate();
        var runner = LeaderElectedRunner.ForLease(Client, new LeaderElectionOptions
        {
            LeaseNamespace = ns,
            LeaseName = "gadget-operator",
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        var metrics = new TestMetrics();
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(term => BuildTerm(ns, readiness, metrics).RunAsync(term), stop.Token);

        await fixture.CreateGadgetAsync(Gadget.New(ns, "g1", 3));
        await Eventually.HoldsAsync(() => SizeOf(ns, "g1") == "3", "gadget-g1 with size 3");
        Assert.True(runner.IsLeader);
        Assert.Empty(readiness.NotReady());

        var g1 = await Client.CustomObjects.GetNamespacedCustomObjectAsync<Gadget>(Gadget.Group, Gadget.Version, ns, Gadget.Plural, "g1");
        g1.Spec.Size = 4;
        await Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<Gadget>(g1, Gadget.Group, Gadget.Version, ns, Gadget.Plural, "g1");
        await Eventually.HoldsAsync(() => SizeOf(ns, "g1") == "4", "gadget-g1 updated to size 4");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("gadget-g1", ns);
        await Eventually.HoldsAsync(() => SizeOf(ns, "g1") == "4", "gadget-g1 recreated through its owner reference");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(runner.IsLeader);
        Assert.True(await metrics.ValueAsync("controller_reconcile_total{controller=\"gadgets\",result=\"success\"}") >= 3);
    }

    private ControllerSet BuildTerm(string ns, ReadinessGate readiness, TestMetrics metrics)
    {
        var set = new ControllerSet(readiness);
        var gadgets = set.Add(new Informer<Gadget>("gadgets", ListerWatchers.CustomResource<Gadget>(Client, Gadget.Group, Gadget.Version, Gadget.Plural, ns)));
        var configMaps = set.Add(new Informer<V1ConfigMap>("configmaps", ListerWatchers.ConfigMaps(Client, ns)));
        var queue = new WorkQueue<ObjectKey>("gadgets", new WorkQueueOptions<ObjectKey> { Metrics = new WorkQueueMetrics(metrics.Factory) });
        gadgets.AddEventHandler(new EnqueueHandler<Gadget>(queue, KeyMappers.Self, UpdateFilters.GenerationChanged));
        configMaps.AddEventHandler(new EnqueueHandler<V1ConfigMap>(queue, KeyMappers.ControllerOwner(Gadget.Group, "Gadget")));
        set.Add(new Controller<ObjectKey>("gadgets", queue, new GadgetReconciler(Client, gadgets.Cache, configMaps.Cache), new ControllerOptions
        {
            Workers = 2,
            Metrics = new ControllerMetrics(metrics.Factory),
        }));
        return set;
    }

    private string? SizeOf(string ns, string gadget)
    {
        try
        {
            return Client.CoreV1.ReadNamespacedConfigMap($"gadget-{gadget}", ns).Data?["size"];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Keeps ConfigMap gadget-NAME (data.size = spec.size, controlled by the Gadget) for every Gadget.</summary>
    private sealed class GadgetReconciler(IKubernetes client, Cache<Gadget> gadgets, Cache<V1ConfigMap> configMaps) : IReconciler<ObjectKey>
    {
        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            var gadget = gadgets.Get(key);
            if (gadget is null)
            {
                return ReconcileResult.Done; // garbage collection removes what it owned
            }

            var name = $"gadget-{key.Name}";
            var size = gadget.Spec.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var existing = configMaps.Get(key.Namespace, name);
            if (existing is null)
            {
                await client.CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap
                    {
                        Metadata = new V1ObjectMeta
                        {
                            Name = name,
                            NamespaceProperty = key.Namespace,
                            OwnerReferences = [new V1OwnerReference { ApiVersion = gadget.ApiVersion, Kind = gadget.Kind, Name = gadget.Metadata.Name, Uid = gadget.Metadata.Uid, Controller = true }],
                        },
                        Data = new Dictionary<string, string> { ["size"] = size },
                    },
                    key.Namespace,
                    cancellationToken: cancellationToken);
            }
            else if ((existing.Data is { } data && data.TryGetValue("size", out var current) ? current : null) != size)
            {
                var patch = new V1Patch($"{{\"data\":{{\"size\":\"{size}\"}}}}", V1Patch.PatchType.MergePatch);
                await client.CoreV1.PatchNamespacedConfigMapAsync(patch, name, key.Namespace, cancellationToken: cancellationToken);
            }

            return ReconcileResult.Done;
        }
    }
}
