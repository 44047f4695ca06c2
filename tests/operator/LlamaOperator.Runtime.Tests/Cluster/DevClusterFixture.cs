using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;

namespace LlamaOperator.Runtime.Tests.Cluster;

/// <summary>
/// One embedded API server (no scheduler, no kubelet) shared by a test class; tests isolate themselves in
/// fresh namespaces. A short watch history makes 410 Gone easy to provoke.
/// </summary>
public sealed class DevClusterFixture : IAsyncLifetime
{
    public const int WatchHistory = 10;

    public LlamaOperator.DevCluster.DevCluster Cluster { get; private set; } = null!;

    public Kubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await LlamaOperator.DevCluster.DevCluster.StartAsync(new DevClusterOptions
        {
            EnableKubelet = false,
            EnableScheduler = false,
            CrdDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "crds"),
            WatchHistoryPerKind = WatchHistory,
        });
        Client = Cluster.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }

    public async Task<string> NewNamespaceAsync()
    {
        var name = "rt-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public Task<Gadget> CreateGadgetAsync(Gadget gadget) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<Gadget>(gadget, Gadget.Group, Gadget.Version, gadget.Metadata.NamespaceProperty, Gadget.Plural);
}
