using LlamaOperator.DevCluster.Scheduling;
using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Tests.Scheduling;

public class GangSchedulerTests
{
    private static NodeInfo Node(string name, int gpus, string block = "b0", bool ready = true, params NodeTaint[] taints) =>
        new(name, new Dictionary<string, string> { ["block"] = block, ["kubernetes.io/hostname"] = name }, taints, new ComputeResources(gpus, 64, 1e12m), ready);

    private static PodInfo Pod(string name, int gpus, string? group = null, string node = "", Dictionary<string, string>? labels = null) => new()
    {
        Namespace = "ns",
        Name = name,
        Requests = new ComputeResources(gpus, 1, 1e9m),
        Group = group is null ? null : "ns/" + group,
        NodeName = node,
        Labels = labels ?? [],
    };

    [Fact]
    public void Gang_is_bound_whole_when_min_member_fits()
    {
        var nodes = new[] { Node("n0", 8), Node("n1", 8) };
        var pods = new[] { Pod("p0", 8, "g"), Pod("p1", 8, "g") };
        var result = GangScheduler.Schedule(nodes, pods, new Dictionary<string, int> { ["ns/g"] = 2 });
        Assert.Equal(["n0", "n1"], result.Bindings.Select(b => b.Node).Order());
        Assert.Empty(result.Unschedulable);
    }

    [Fact]
    public void Gang_that_does_not_fit_binds_none_of_its_pods()
    {
        var nodes = new[] { Node("n0", 8), Node("n1", 8) };
        var pods = new[] { Pod("p0", 8, "g"), Pod("p1", 8, "g"), Pod("p2", 8, "g") };
        var result = GangScheduler.Schedule(nodes, pods, new Dictionary<string, int> { ["ns/g"] = 3 });
        Assert.Empty(result.Bindings);
        Assert.Equal(3, result.Unschedulable.Count);
        Assert.Equal("pod group \"ns/g\" cannot place minMember 3 pods together: 0/2 nodes are available: 2 Insufficient nvidia.com/gpu.", result.Unschedulable[("ns", "p0")]);
    }

    [Fact]
    public void Gang_waits_until_min_member_pods_exist()
    {
        var result = GangScheduler.Schedule([Node("n0", 8), Node("n1", 8)], [Pod("p0", 8, "g")], new Dictionary<string, int> { ["ns/g"] = 2 });
        Assert.Empty(result.Bindings);
        Assert.Contains("fewer than minMember 2 pods", result.Unschedulable[("ns", "p0")]);
    }

    [Fact]
    public void Late_member_joins_a_gang_already_bound()
    {
        var pods = new[] { Pod("p0", 8, "g", node: "n0"), Pod("p1", 8, "g") };
        var result = GangScheduler.Schedule([Node("n0", 8), Node("n1", 8)], pods, new Dictionary<string, int> { ["ns/g"] = 2 });
        Assert.Equal(("ns", "p1", "n1"), Assert.Single(result.Bindings));
    }

    [Fact]
    public void Pod_group_that_does_not_exist_keeps_pods_pending()
    {
        var result = GangScheduler.Schedule([Node("n0", 8)], [Pod("p0", 1, "missing")], new Dictionary<string, int>());
        Assert.Contains("not found", result.Unschedulable[("ns", "p0")]);
    }

    [Fact]
    public void Single_pods_bin_pack_and_report_insufficient_gpus()
    {
        var result = GangScheduler.Schedule([Node("n0", 8), Node("n1", 4)], [Pod("a", 4), Pod("b", 4), Pod("c", 8)], new Dictionary<string, int>());
        Assert.Equal([("ns", "a", "n1"), ("ns", "b", "n0")], result.Bindings);
        Assert.Equal("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.", result.Unschedulable[("ns", "c")]);
    }

    [Fact]
    public void Not_ready_nodes_and_untolerated_taints_are_skipped()
    {
        var nodes = new[] { Node("n0", 8, ready: false), Node("n1", 8, taints: new NodeTaint("gpu", "h100", "NoSchedule")) };
        var plain = GangScheduler.Schedule(nodes, [Pod("a", 1)], new Dictionary<string, int>());
        Assert.Contains("1 node(s) had untolerated taint {gpu: h100}", plain.Unschedulable[("ns", "a")]);
        var tolerant = Pod("a", 1) with { Tolerations = [new Toleration("gpu", "Exists", "", "NoSchedule")] };
        Assert.Equal("n1", Assert.Single(GangScheduler.Schedule(nodes, [tolerant], new Dictionary<string, int>()).Bindings).Node);
    }

    [Fact]
    public void Node_selector_is_respected()
    {
        var pod = Pod("a", 1) with { NodeSelector = new Dictionary<string, string> { ["block"] = "b1" } };
        var result = GangScheduler.Schedule([Node("n0", 8, "b0"), Node("n1", 8, "b1")], [pod], new Dictionary<string, int>());
        Assert.Equal("n1", Assert.Single(result.Bindings).Node);
    }

    [Fact]
    public void Pod_affinity_keeps_each_replica_in_one_topology_block()
    {
        // Two blocks of two 8-GPU nodes; two replicas of two 8-GPU pods each, one gang.
        var nodes = new[] { Node("n0", 8, "b0"), Node("n1", 8, "b0"), Node("n2", 8, "b1"), Node("n3", 8, "b1") };
        PodInfo Member(string name, string replica) => Pod(name, 8, "g", labels: new() { ["replica"] = replica }) with
        {
            Affinity = [new AffinityTerm(LabelSelector.Parse("replica=" + replica), "block", ["ns"])],
        };
        var pods = new[] { Member("r0-0", "0"), Member("r1-0", "1"), Member("r0-1", "0"), Member("r1-1", "1") };
        var result = GangScheduler.Schedule(nodes, pods, new Dictionary<string, int> { ["ns/g"] = 4 });
        Assert.Equal(4, result.Bindings.Count);
        var block = nodes.ToDictionary(n => n.Name, n => n.Labels["block"]);
        var placed = result.Bindings.ToDictionary(b => b.Name, b => block[b.Node]);
        Assert.Equal(placed["r0-0"], placed["r0-1"]);
        Assert.Equal(placed["r1-0"], placed["r1-1"]);
        Assert.NotEqual(placed["r0-0"], placed["r1-0"]);
    }

    [Fact]
    public void Interleaved_replicas_do_not_overcommit_a_block()
    {
        // Two blocks of one 8-GPU node; four replicas of four 1-GPU pods arriving interleaved: two replicas per block.
        var nodes = new[] { Node("n0", 8, "b0"), Node("n1", 8, "b1") };
        var pods = Enumerable.Range(0, 4).SelectMany(i => Enumerable.Range(0, 4).Select(r => Pod($"r{r}-{i}", 1, "g", labels: new() { ["replica"] = $"{r}" }) with
        {
            Affinity = [new AffinityTerm(LabelSelector.Parse($"replica={r}"), "block", ["ns"])],
        })).ToList();
        var result = GangScheduler.Schedule(nodes, pods, new Dictionary<string, int> { ["ns/g"] = 16 });
        Assert.Equal(16, result.Bindings.Count);
        Assert.All(result.Bindings.GroupBy(b => b.Name.Split('-')[0]), replica => Assert.Single(replica.Select(b => b.Node).Distinct()));
    }
}
