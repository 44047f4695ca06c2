using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.DevCluster.Tests.Audit;

/// <summary>A cluster (no kubelet) whose every request lands in <see cref="Log"/>.</summary>
public sealed class AuditedClusterFixture : ClusterFixture
{
    public AuditLog Log { get; } = new();

    protected override DevClusterOptions Options => base.Options with { Audit = Log.Record, EnableKubelet = false };
}
