using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>A dev cluster per test class: 4 nodes of 8 GPUs, two per block, with the test CRDs (widgets.example.dev).</summary>
public class ClusterFixture : IAsyncLifetime
{
    public DevCluster Cluster { get; private set; } = null!;
    public Kubernetes Client { get; private set; } = null!;

    protected virtual DevClusterOptions Options => new()
    {
        Nodes = NodeOptions.Uniform(4, 8, nodesPerBlock: 2),
        CrdDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "crds"),
        NodeLostGracePeriod = TimeSpan.FromMilliseconds(300),
        RestartBackoffCap = TimeSpan.FromSeconds(1),
    };

    public async Task InitializeAsync()
    {
        Cluster = await DevCluster.StartAsync(Options);
        Client = Cluster.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }

    /// <summary>A fresh namespace, so tests sharing the cluster do not see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }
}

/// <summary>A cluster without the kubelet: pods are scheduled but never run.</summary>
public sealed class SchedulerOnlyFixture : ClusterFixture
{
    protected override DevClusterOptions Options => base.Options with { EnableKubelet = false };
}

/// <summary>A cluster whose watch history keeps only 5 events per kind, to reach 410 Gone quickly.</summary>
public sealed class ShortHistoryFixture : ClusterFixture
{
    protected override DevClusterOptions Options => base.Options with { WatchHistoryPerKind = 5, EnableKubelet = false, EnableScheduler = false };
}
