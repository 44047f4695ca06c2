using System.Net;
using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;

namespace LlamaOperator.Chart.Tests;

/// <summary>
/// `helm install` and `helm upgrade` of the chart into the embedded dev cluster, as a platform team would run them
/// (with --server-side=false: the dev cluster has no server-side apply), and the objects read back.
/// </summary>
public class ChartInstallTests
{
    private static Task<DevCluster.DevCluster> StartClusterAsync() => DevCluster.DevCluster.StartAsync(new DevClusterOptions
    {
        // The ServiceMonitor CRD stands in for an installed prometheus-operator; the chart brings its own CRD.
        CrdDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "crds"),
        EnableKubelet = false,
    });

    private static async Task HelmOk(DevCluster.DevCluster cluster, params string[] args)
    {
        var result = await HelmCli.RunAsync(args, cluster.KubeconfigPath);
        Assert.True(result.ExitCode == 0, $"helm {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr}");
        Assert.DoesNotContain("Warning", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Default_values_install_upgrade_and_uninstall()
    {
        await using var cluster = await StartClusterAsync();
        using var client = cluster.CreateClient();
        await HelmOk(cluster, "install", "rel", HelmCli.ChartPath, "--namespace", "ops", "--create-namespace", "--server-side=false");

        var rendered = RenderedChart.Parse(await HelmCli.TemplateAsync());
        await AssertAllStoredAsync(cluster, rendered);
        var stored = await client.AppsV1.ReadNamespacedDeploymentAsync("rel-llama-operator", "ops");
        Assert.Equal(CanonicalJson.Of(rendered.Single<V1Deployment>().Spec), CanonicalJson.Of(stored.Spec));
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("llamatrainingjobs.llamaoperator.dev");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
        var role = await client.RbacAuthorizationV1.ReadClusterRoleAsync("rel-llama-operator");
        Assert.Equal(CanonicalJson.Of(rendered.Single<V1ClusterRole>().Rules), CanonicalJson.Of(role.Rules));

        await HelmOk(cluster, "upgrade", "rel", HelmCli.ChartPath, "--namespace", "ops", "--server-side=false", "--set", "replicaCount=2,logging.level=Debug");
        stored = await client.AppsV1.ReadNamespacedDeploymentAsync("rel-llama-operator", "ops");
        Assert.Equal(2, stored.Spec.Replicas);
        Assert.Contains("--log-level=Debug", stored.Spec.Template.Spec.Containers[0].Args);

        await HelmOk(cluster, "uninstall", "rel", "--namespace", "ops");
        Assert.Empty((await client.AppsV1.ListNamespacedDeploymentAsync("ops")).Items);
        Assert.DoesNotContain((await client.RbacAuthorizationV1.ListClusterRoleAsync()).Items, r => r.Metadata.Name.StartsWith("rel-", StringComparison.Ordinal));
        // Helm keeps CRDs on uninstall (and so the users' jobs).
        await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("llamatrainingjobs.llamaoperator.dev");
    }

    [Fact]
    public async Task Full_values_install_every_object()
    {
        await using var cluster = await StartClusterAsync();
        using var client = cluster.CreateClient();
        foreach (var ns in new[] { "ml-team", "ops-leases" })
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }
        await HelmOk(cluster, "install", "rel", HelmCli.ChartPath, "--namespace", "ops", "--create-namespace", "--server-side=false", "--values", HelmCli.FullValuesPath);

        var rendered = RenderedChart.Parse(await HelmCli.TemplateAsync("--values", HelmCli.FullValuesPath));
        await AssertAllStoredAsync(cluster, rendered);
        var monitor = await client.CustomObjects.GetNamespacedCustomObjectAsync<ServiceMonitor>("monitoring.coreos.com", "v1", "ops", "servicemonitors", "training-operator");
        Assert.Equal("/metrics", monitor.Spec.Endpoints.Single().Path);
    }

    /// <summary>Every rendered object can be read back from its REST path.</summary>
    private static async Task AssertAllStoredAsync(DevCluster.DevCluster cluster, RenderedChart rendered)
    {
        using var http = new HttpClient { BaseAddress = cluster.BaseUrl };
        foreach (var obj in rendered.Objects)
        {
            var prefix = obj.ApiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{obj.ApiVersion}" : $"/api/{obj.ApiVersion}";
            var scope = obj.Metadata.NamespaceProperty is { } ns ? $"/namespaces/{ns}" : "";
            var kind = obj.Kind.ToLowerInvariant();
            var plural = kind.EndsWith('y') ? $"{kind[..^1]}ies" : $"{kind}s";
            var path = $"{prefix}{scope}/{plural}/{obj.Metadata.Name}";
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{obj.Kind} {obj.Metadata.Name} is not stored ({path}: {(int)response.StatusCode})");
        }
    }
}
