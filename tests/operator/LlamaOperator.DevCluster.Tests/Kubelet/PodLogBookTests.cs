using k8s;
using k8s.Autorest;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

/// <summary>A cluster whose kubelet also keeps container logs in a folder (as `llamaop local` does).</summary>
public sealed class ContainerLogFixture : ClusterFixture
{
    public string LogDirectory { get; } = Path.Combine(Path.GetTempPath(), "llamaop-logs-" + Guid.NewGuid().ToString("N")[..8]);

    protected override DevClusterOptions Options => base.Options with { ContainerLogDirectory = LogDirectory };
}

/// <summary>An exited container's log stays readable: through the API until its pod is deleted, in the log folder after that.</summary>
public sealed class PodLogBookTests(ContainerLogFixture fixture) : IClassFixture<ContainerLogFixture>, IDisposable
{
    private Kubernetes Client => fixture.Client;

    public void Dispose()
    {
        if (Directory.Exists(fixture.LogDirectory))
        {
            Directory.Delete(fixture.LogDirectory, recursive: true);
        }
    }

    private static V1Pod Pod(string script) => new()
    {
        Metadata = new V1ObjectMeta { Name = "trainer-0" },
        Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "trainer", Image = "busybox", Command = ["sh", "-c", script] }] },
    };

    private async Task<string> LogsAsync(string ns)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("trainer-0", ns);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task An_exited_containers_log_is_served_until_its_pod_is_deleted_and_stays_in_the_log_folder()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("echo first run; exit 2"), ns);
        await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync("trainer-0", ns), p => p.Status.Phase == "Failed", TimeSpan.FromSeconds(10), "pod Failed");

        Assert.Equal("first run\n", await LogsAsync(ns));

        await Client.CoreV1.DeleteNamespacedPodAsync("trainer-0", ns);
        await Eventually.Get(() => Client.CoreV1.ListNamespacedPodAsync(ns), l => l.Items.Count == 0, TimeSpan.FromSeconds(10), "pod removed");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => LogsAsync(ns));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.Response.StatusCode);

        // A new pod of the same name (a restarted gang) appends to the same file, after a header line of its own.
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("echo second run"), ns);
        await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync("trainer-0", ns), p => p.Status.Phase == "Succeeded", TimeSpan.FromSeconds(10), "pod Succeeded");
        var file = Path.Combine(fixture.LogDirectory, $"trainer-0_{ns}_trainer.log");
        var lines = await Eventually.Get(() => Task.FromResult(File.ReadAllLines(file)), l => l.Length == 4, TimeSpan.FromSeconds(10), "both runs in the file");
        Assert.StartsWith($"==> pod {ns}/trainer-0 (uid ", lines[0]);
        Assert.Equal("first run", lines[1]);
        Assert.StartsWith($"==> pod {ns}/trainer-0 (uid ", lines[2]);
        Assert.Equal("second run", lines[3]);
    }
}
