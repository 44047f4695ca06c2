namespace LlamaOperator.DevCluster;

/// <summary>A simulated node: allocatable GPUs, CPU and memory (Kubernetes quantities), labels and NoSchedule/NoExecute taints.</summary>
public sealed record NodeOptions(string Name, int Gpus)
{
    /// <summary>The label every dev node carries naming its network block (a topology key for placement).</summary>
    public const string BlockLabel = "llamaoperator.dev/block";

    public string Cpu { get; init; } = "64";
    public string Memory { get; init; } = "512Gi";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<NodeTaint> Taints { get; init; } = [];

    /// <summary>`count` nodes node-0..N-1 with `gpus` GPUs each, `nodesPerBlock` per network block (label <see cref="BlockLabel"/>).</summary>
    public static IReadOnlyList<NodeOptions> Uniform(int count, int gpus, int nodesPerBlock = 4) =>
        Enumerable.Range(0, count).Select(i => new NodeOptions($"node-{i}", gpus)
        {
            Labels = new Dictionary<string, string> { [BlockLabel] = $"block-{i / Math.Max(1, nodesPerBlock)}" },
        }).ToList();
}

/// <summary>A node taint (key, value, effect NoSchedule / PreferNoSchedule / NoExecute).</summary>
public sealed record NodeTaint(string Key, string Value, string Effect);
