using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>The kinds a Helm chart installs besides pods and services are stored and served (no controller acts on them).</summary>
public class InstallKindsTests(SchedulerOnlyFixture fixture) : IClassFixture<SchedulerOnlyFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Deployments_disruption_budgets_and_rbac_objects_round_trip()
    {
        var ns = await fixture.NewNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "op" };
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "op" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "op", Image = "op:1" }] } },
            },
        };
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal(2, (await Client.AppsV1.ReadNamespacedDeploymentAsync("op", ns)).Spec.Replicas);

        await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget { Metadata = new V1ObjectMeta { Name = "op" }, Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = labels } } }, ns);
        Assert.Equal("1", (await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("op", ns)).Spec.MinAvailable.Value);

        var roleName = "op-" + ns;
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = roleName }, Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }] });
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "op" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = roleName },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "op", NamespaceProperty = ns }],
        }, ns);
        Assert.Equal(["get"], (await Client.RbacAuthorizationV1.ReadClusterRoleAsync(roleName)).Rules[0].Verbs);
        Assert.Equal(roleName, (await Client.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(ns)).Items.Single().RoleRef.Name);
    }
}
