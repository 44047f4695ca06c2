using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>
/// One embedded API server per test class, with the repository's CRDs and neither scheduler nor kubelet: tests
/// play the kubelet by patching pod statuses, so every step is deterministic. Tests isolate themselves in fresh
/// namespaces and run namespace-scoped operators.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public LlamaOperator.DevCluster.DevCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await LlamaOperator.DevCluster.DevCluster.StartAsync(new DevClusterOptions
        {
            EnableKubelet = false,
            EnableScheduler = Scheduler,
            CrdDirectory = Path.Combine(RepoRoot.Find(), "crds"),
        });
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Whether pods are bound to nodes (the dev cluster's gang scheduler; one node of 8 GPUs).</summary>
    protected virtual bool Scheduler => false;

    /// <summary>A client whose writes <paramref name="counter"/> counts.</summary>
    public Kubernetes Client(RequestCounter? counter = null) =>
        counter is null ? Cluster.CreateClient() : new Kubernetes(Cluster.ClientConfiguration, counter);

    public async Task<string> NewNamespaceAsync()
    {
        var name = "op-" + Guid.NewGuid().ToString("N")[..10];
        using var client = Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }
}

/// <summary>The same with the scheduler on, for tests about nodes; tests may break its one node, so it is not shared with other classes.</summary>
public sealed class SchedulingClusterFixture : ClusterFixture
{
    protected override bool Scheduler => true;
}
