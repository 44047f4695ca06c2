using k8s.Models;

namespace LlamaOperator.DevCluster.Audit;

/// <summary>An RBAC rule bound to the user under check, and where it applies.</summary>
/// <param name="Namespace">Null for a ClusterRole bound by a ClusterRoleBinding (every namespace and cluster-scoped resources); else the RoleBinding's namespace.</param>
/// <param name="Source">Where the rule comes from, for reports, e.g. "ClusterRole/llama-operator".</param>
public sealed record GrantedRule(V1PolicyRule Rule, string? Namespace, string Source);
