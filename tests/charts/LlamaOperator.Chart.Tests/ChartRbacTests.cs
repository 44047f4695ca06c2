using k8s.Models;
using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.Chart.Tests;

/// <summary>Which rules the chart's bindings grant the operator's ServiceAccount, and where.</summary>
public class ChartRbacTests(ChartRenders renders) : IClassFixture<ChartRenders>
{
    private static string Describe(GrantedRule g) =>
        $"{g.Namespace ?? "*"} {string.Join(",", g.Rule.ApiGroups)}:{string.Join(",", g.Rule.Resources)}";

    [Fact]
    public void Default_values_grant_cluster_wide_rules_and_the_lease_only_in_the_release_namespace()
    {
        var granted = ChartRbac.GrantedTo(renders.Default, "ops", "rel-llama-operator");
        Assert.All(granted.Where(g => g.Source == "ClusterRole/rel-llama-operator"), g => Assert.Null(g.Namespace));
        var lease = Assert.Single(granted, g => g.Rule.Resources.Contains("leases"));
        Assert.Equal(("ops", "Role/rel-llama-operator-leader-election in ops"), (lease.Namespace, lease.Source));
        Assert.Contains(granted, g => g.Namespace is null && g.Rule.Resources.Contains("nodes"));
    }

    [Fact]
    public void A_watched_namespace_gets_a_role_there_and_nodes_stay_cluster_wide()
    {
        var granted = ChartRbac.GrantedTo(renders.Full, "ops", "training-operator-sa");
        Assert.Equal(
            ["* :nodes", "ml-team :pods", "ops-leases coordination.k8s.io:leases"],
            granted.Where(g => g.Rule.Resources.Contains("nodes") || g.Rule.Resources.Contains("pods") || g.Rule.Resources.Contains("leases")).Select(Describe).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(granted, g => g.Namespace is null && !g.Rule.Resources.Contains("nodes"));
    }

    [Fact]
    public void Another_service_account_is_granted_nothing()
    {
        Assert.Empty(ChartRbac.GrantedTo(renders.Default, "ops", "someone-else"));
        Assert.Empty(ChartRbac.GrantedTo(renders.Default, "other", "rel-llama-operator"));
    }
}
