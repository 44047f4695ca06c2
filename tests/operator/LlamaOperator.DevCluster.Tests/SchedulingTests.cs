using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>Gang binding through the API: PodGroups (scheduler-plugins and Volcano) created over HTTP, pods bound all or nothing.</summary>
public class SchedulingTests(SchedulerOnlyFixture fixture) : IClassFixture<SchedulerOnlyFixture>
{
    private Kubernetes Client => fixture.Client;

    private static V1Pod GpuPod(string name, int gpus, Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels, Annotations = annotations },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "trainer", Image = "trainer:dev",
                    Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)) } },
                },
            ],
        },
    };

    private Task<object> CreatePodGroup(string ns, string name, int minMember, string group = "scheduling.x-k8s.io", string version = "v1alpha1") =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse($$$"""{"apiVersion":"{{{group}}}/{{{version}}}","kind":"PodGroup","metadata":{"name":"{{{name}}}"},"spec":{"minMember":{{{minMember}}}}}""")!,
            group, version, ns, "podgroups");

    private async Task<IList<V1Pod>> Pods(string ns) => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;

    [Fact]
    public async Task Gang_is_bound_only_once_min_member_pods_exist_and_fit()
    {
        var ns = await fixture.NewNamespaceAsync();
        await CreatePodGroup(ns, "job", 3);
        var labels = new Dictionary<string, string> { ["scheduling.x-k8s.io/pod-group"] = "job" };
        await Client.CoreV1.CreateNamespacedPodAsync(GpuPod("w0", 8, labels), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(GpuPod("w1", 8, labels), ns);
        var waiting = await Eventually.Get(() => Pods(ns), pods => pods.All(p => p.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true), what: "pods marked unschedulable");
        Assert.All(waiting, p => Assert.Null(p.Spec.NodeName));
        Assert.Contains("fewer than minMember 3 pods", waiting[0].Status.Conditions.Single(c => c.Type == "PodScheduled").Message);

        await Client.CoreV1.CreateNamespacedPodAsync(GpuPod("w2", 8, labels), ns);
        var bound = await Eventually.Get(() => Pods(ns), pods => pods.All(p => p.Spec.NodeName is not null), what: "gang bound");
        Assert.Equal(3, bound.Select(p => p.Spec.NodeName).Distinct().Count());
        Assert.All(bound, p => Assert.Equal("True", p.Status.Conditions.Single(c => c.Type == "PodScheduled").Status));
        var group = await Eventually.Get(async () => Widgets.Node(await Client.CustomObjects.GetNamespacedCustomObjectAsync("scheduling.x-k8s.io", "v1alpha1", ns, "podgroups", "job")),
            g => (string?)g["status"]?["phase"] == "Scheduled", what: "PodGroup Scheduled");
        Assert.Equal(3, (int)group["status"]!["scheduled"]!);
    }

    [Fact]
    public async Task Gang_larger_than_the_cluster_binds_none_of_its_pods()
    {
        var ns = await fixture.NewNamespaceAsync();
        await CreatePodGroup(ns, "huge", 5, "scheduling.volcano.sh", "v1beta1");
        var annotations = new Dictionary<string, string> { ["scheduling.k8s.io/group-name"] = "huge" };
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(GpuPod($"w{i}", 8, annotations: annotations), ns);
        }
        var pods = await Eventually.Get(() => Pods(ns), ps => ps.All(p => p.Status.Conditions?.Any(c => c.Reason == "Unschedulable" && c.Message.Contains("cannot place minMember 5 pods together")) == true), what: "gang refused");
        Assert.All(pods, p => Assert.Null(p.Spec.NodeName));
    }

    [Fact]
    public async Task Binding_subresource_binds_a_pod_once()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = GpuPod("manual", 0);
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["no-such-label"] = "x" };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "manual" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-3" } };
        await Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "manual", ns);
        Assert.Equal("node-3", (await Client.CoreV1.ReadNamespacedPodAsync("manual", ns)).Spec.NodeName);
        await ApiErrors.Expect(System.Net.HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "manual", ns));
    }

    [Fact]
    public async Task Nodes_are_served_with_gpu_capacity_and_block_labels()
    {
        var nodes = (await Client.CoreV1.ListNodeAsync()).Items;
        Assert.Equal(["node-0", "node-1", "node-2", "node-3"], nodes.Select(n => n.Metadata.Name));
        Assert.All(nodes, n => Assert.Equal("8", n.Status.Allocatable["nvidia.com/gpu"].ToString()));
        Assert.Equal(["block-0", "block-0", "block-1", "block-1"], nodes.Select(n => n.Metadata.Labels[NodeOptions.BlockLabel]));
    }
}
