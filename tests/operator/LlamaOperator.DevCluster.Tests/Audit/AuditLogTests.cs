using k8s;
using k8s.Models;
using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.DevCluster.Tests.Audit;

/// <summary>The audit log records what each client asked for, with the attributes an RBAC authorizer sees.</summary>
public class AuditLogTests(AuditedClusterFixture fixture) : IClassFixture<AuditedClusterFixture>
{
    private Kubernetes ClientAs(string token) => new(new KubernetesClientConfiguration { Host = fixture.Cluster.BaseUrl.ToString(), AccessToken = token });

    [Fact]
    public async Task Each_request_is_recorded_with_user_verb_resource_and_namespace()
    {
        var ns = await fixture.NewNamespaceAsync();
        var user = "user-" + Guid.NewGuid().ToString("N")[..6];
        using var client = ClientAs(user);
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" }, Data = new Dictionary<string, string> { ["k"] = "v" } };
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns);
        await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        await client.CoreV1.ListConfigMapForAllNamespacesAsync();
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"w"}}""", V1Patch.PatchType.MergePatch), "a", ns);
        created.Data["k"] = "x";
        created.Metadata.ResourceVersion = null;
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);
        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns);
        await client.CoreV1.ListNodeAsync();

        var seen = fixture.Log.ByUser(user).Select(r => (r.Verb, r.ApiGroup, r.QualifiedResource, r.Namespace, r.Name)).ToList();
        Assert.Equal(
            [
                ("create", "", "configmaps", ns, ""),
                ("get", "", "configmaps", ns, "a"),
                ("list", "", "configmaps", ns, ""),
                ("list", "", "configmaps", "", ""),
                ("patch", "", "configmaps", ns, "a"),
                ("update", "", "configmaps", ns, "a"),
                ("delete", "", "configmaps", ns, "a"),
                ("deletecollection", "", "configmaps", ns, ""),
                ("list", "", "nodes", "", ""),
            ],
            seen);
    }

    [Fact]
    public async Task Watches_status_writes_and_custom_resources_are_told_apart()
    {
        var ns = await fixture.NewNamespaceAsync();
        var user = "user-" + Guid.NewGuid().ToString("N")[..6];
        using var client = ClientAs(user);
        await Widgets.CreateAsync(client, ns, "w", size: 1);
        await Widgets.PatchAsync(client, ns, "w", """{"status":{"phase":"Ready"}}""", status: true);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "seen" } }, ns);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync(ns, timeoutSeconds: 1, cancellationToken: cancel.Token))
        {
        }

        var seen = fixture.Log.ByUser(user).Select(r => (r.Verb, r.ApiGroup, r.QualifiedResource, r.Namespace)).ToList();
        Assert.Contains(("create", "example.dev", "widgets", ns), seen);
        Assert.Contains(("patch", "example.dev", "widgets/status", ns), seen);
        Assert.Contains(("watch", "", "configmaps", ns), seen);
    }

    [Fact]
    public async Task A_client_without_a_token_is_anonymous()
    {
        using var client = fixture.Cluster.CreateClient();
        var before = fixture.Log.Records.Count;
        await client.CoreV1.ListNamespaceAsync();
        var mine = fixture.Log.Records.Skip(before).Where(r => r.Resource == "namespaces" && r.Verb == "list");
        Assert.Contains(mine, r => r.User == RequestAttributes.Anonymous);
    }
}
