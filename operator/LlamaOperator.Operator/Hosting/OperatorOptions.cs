using LlamaOperator.Operator.Reconciling;
using LlamaOperator.Runtime.LeaderElection;
using Prometheus;

namespace LlamaOperator.Operator.Hosting;

/// <summary>How an <see cref="OperatorHost"/> runs. The defaults are `llamaop run`'s, without leader election and HTTP server.</summary>
public sealed record OperatorOptions
{
    /// <summary>Watch only this namespace; null watches all namespaces (needs a ClusterRole).</summary>
    public string? Namespace { get; init; }

    /// <summary>Jobs reconciled at once (never the same job twice).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Compete for this Lease and reconcile only while holding it; null reconciles at once (a single instance, local mode).</summary>
    public LeaderElectionOptions? LeaderElection { get; init; }

    /// <summary>Serve /healthz, /readyz and /metrics here (e.g. "http://0.0.0.0:8080"; port 0 picks one); null serves nothing.</summary>
    public string? HttpAddress { get; init; }

    /// <summary>Serve the validating admission webhook (<see cref="Admission.JobAdmission"/>) over HTTPS; null serves none.</summary>
    public WebhookOptions? Webhook { get; init; }

    /// <summary>Written as the source host of Events; the leader identity when electing.</summary>
    public string Identity { get; init; } = LeaderIdentity.Create();

    public ReconcilerSettings Reconciler { get; init; } = new();

    /// <summary>Registry for the operator's metrics and /metrics; prometheus-net's default registry when null.</summary>
    public CollectorRegistry? MetricsRegistry { get; init; }
}
