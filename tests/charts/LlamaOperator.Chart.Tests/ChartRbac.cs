using k8s.Models;
using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.Chart.Tests;

/// <summary>The RBAC rules a chart's bindings grant one ServiceAccount, with their scope, for <see cref="RbacCheck"/>.</summary>
public static class ChartRbac
{
    public static IReadOnlyList<GrantedRule> GrantedTo(RenderedChart chart, string serviceAccountNamespace, string serviceAccountName)
    {
        bool Names(IEnumerable<Rbacv1Subject>? subjects) =>
            (subjects ?? []).Any(s => s.Kind == "ServiceAccount" && s.Name == serviceAccountName && s.NamespaceProperty == serviceAccountNamespace);

        IList<V1PolicyRule> ClusterRoleRules(string name) =>
            chart.All<V1ClusterRole>().SingleOrDefault(r => r.Metadata.Name == name)?.Rules
            ?? throw new InvalidDataException($"a binding refers to ClusterRole {name}, which the chart does not render");

        var granted = new List<GrantedRule>();
        foreach (var binding in chart.All<V1ClusterRoleBinding>().Where(b => Names(b.Subjects)))
        {
            granted.AddRange(ClusterRoleRules(binding.RoleRef.Name).Select(r => new GrantedRule(r, null, $"ClusterRole/{binding.RoleRef.Name}")));
        }
        foreach (var binding in chart.All<V1RoleBinding>().Where(b => Names(b.Subjects)))
        {
            var ns = binding.Metadata.NamespaceProperty;
            var rules = binding.RoleRef.Kind == "ClusterRole"
                ? ClusterRoleRules(binding.RoleRef.Name)
                : chart.All<V1Role>().SingleOrDefault(r => r.Metadata.Name == binding.RoleRef.Name && r.Metadata.NamespaceProperty == ns)?.Rules
                    ?? throw new InvalidDataException($"RoleBinding {ns}/{binding.Metadata.Name} refers to Role {ns}/{binding.RoleRef.Name}, which the chart does not render");
            granted.AddRange(rules.Select(r => new GrantedRule(r, ns, $"{binding.RoleRef.Kind}/{binding.RoleRef.Name} in {ns}")));
        }
        return granted;
    }
}
