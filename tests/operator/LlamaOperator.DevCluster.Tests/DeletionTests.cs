using System.Net;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>Finalizers, owner-reference garbage collection (background, foreground, orphan) and namespace deletion.</summary>
public class DeletionTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    private static V1ConfigMap Map(string name, V1ConfigMap? owner = null, IList<string>? finalizers = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Finalizers = finalizers,
            OwnerReferences = owner is null ? null :
                [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = true }],
        },
    };

    private async Task<bool> Exists(string ns, string name)
    {
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: $"metadata.name={name}");
        return list.Items.Count > 0;
    }

    [Fact]
    public async Task Object_with_a_finalizer_stays_with_a_deletion_timestamp_until_the_finalizer_is_removed()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("f", finalizers: ["example.dev/cleanup"]), ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("f", ns);
        var deleting = await Client.CoreV1.ReadNamespacedConfigMapAsync("f", ns);
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Equal(["example.dev/cleanup"], deleting.Metadata.Finalizers);
        var adding = """{"metadata":{"finalizers":["example.dev/cleanup","example.dev/other"]}}""";
        await ApiErrors.Expect(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(adding, V1Patch.PatchType.MergePatch), "f", ns));
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "f", ns);
        Assert.False(await Exists(ns, "f"));
    }

    [Fact]
    public async Task Background_deletion_collects_dependents_whose_owner_is_gone()
    {
        var ns = await fixture.NewNamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("owner"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("child-1", owner), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("child-2", owner), ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Background");
        await Eventually.Get(() => Client.CoreV1.ListNamespacedConfigMapAsync(ns), l => l.Items.Count == 0, what: "dependents collected");
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_its_dependents_are_gone()
    {
        var ns = await fixture.NewNamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("owner"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("child", owner, ["example.dev/hold"]), ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Foreground");
        var waiting = await Eventually.Get(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns), o => o.Metadata.DeletionTimestamp is not null, what: "owner deleting");
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers);
        await Eventually.Get(() => Client.CoreV1.ReadNamespacedConfigMapAsync("child", ns), c => c.Metadata.DeletionTimestamp is not null, what: "child deleting");
        Assert.True(await Exists(ns, "owner"));
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "child", ns);
        await Eventually.Get(() => Exists(ns, "owner"), exists => !exists, what: "owner gone");
        Assert.False(await Exists(ns, "child"));
    }

    [Fact]
    public async Task Orphan_deletion_leaves_dependents_without_the_owner_reference()
    {
        var ns = await fixture.NewNamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("owner"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("child", owner), ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Orphan");
        await Eventually.Get(() => Exists(ns, "owner"), exists => !exists, what: "owner gone");
        var child = await Client.CoreV1.ReadNamespacedConfigMapAsync("child", ns);
        Assert.Null(child.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Dependent_created_for_an_owner_that_does_not_exist_is_collected()
    {
        var ns = await fixture.NewNamespaceAsync();
        var ghost = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "ghost", Uid = Guid.NewGuid().ToString() } };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("child", ghost), ns);
        await Eventually.Get(() => Exists(ns, "child"), exists => !exists, what: "orphan collected");
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_objects_then_the_namespace()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns);
        await Widgets.CreateAsync(Client, ns, "w", size: 1);
        await Client.CoreV1.DeleteNamespaceAsync(ns);
        var status = await ApiErrors.Expect(HttpStatusCode.NotFound, async () =>
        {
            await Eventually.Get(async () => await Client.CoreV1.ReadNamespaceAsync(ns), _ => false, TimeSpan.FromSeconds(5), "namespace gone");
        });
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Empty((await Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns}")).Items);
    }

    [Fact]
    public async Task Delete_with_a_uid_precondition_that_does_not_match_is_409()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("p"), ns);
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = Guid.NewGuid().ToString() } };
        await ApiErrors.Expect(HttpStatusCode.Conflict, () => Client.CoreV1.DeleteNamespacedConfigMapAsync("p", ns, options));
        Assert.True(await Exists(ns, "p"));
    }
}
