namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>A pod's address (status.podIP) and the cluster DNS names its containers may use, with the address of each.</summary>
public sealed record PodNetwork(string PodIp, IReadOnlyList<(string Name, string Address)> DnsNames)
{
    public const string HostIp = "127.0.0.1";
}
