using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>A pod the kubelet runs: its containers, restart policy, address and whether it is being stopped.</summary>
internal sealed class PodRuntime(string ns, string name, string uid, string restartPolicy, string directory, string podIp)
{
    public string Namespace { get; } = ns;
    public string Name { get; } = name;
    public string Uid { get; } = uid;
    public string RestartPolicy { get; } = restartPolicy;
    public string Directory { get; } = directory;
    public string PodIp { get; } = podIp;
    public List<ContainerRun> Containers { get; } = [];
    public DateTimeOffset StartTime { get; set; }

    /// <summary>Deletion or node loss is stopping it: exits are final, nothing restarts.</summary>
    public bool Stopping { get; set; }

    /// <summary>The node was lost: its status is no longer this kubelet's to write.</summary>
    public bool Abandoned { get; set; }

    public Lock Gate { get; } = new();

    public string Phase()
    {
        if (Containers.Any(c => c.Spec.Error is not null) || Containers.All(c => c.Process is null && c.Terminated is null))
        {
            return "Pending";
        }
        if (Containers.All(c => c.Done))
        {
            return Containers.All(c => c.ExitCode == 0) ? "Succeeded" : "Failed";
        }
        return "Running";
    }

    public JsonArray ContainerStatuses() => new(Containers.Select(c => (JsonNode)c.Status()).ToArray());
}
