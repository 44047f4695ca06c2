using k8s.Models;
using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.DevCluster.Tests.Audit;

public class RbacCheckTests
{
    private static AuditRecord Request(string verb, string group, string resource, string ns = "", string name = "", string sub = "") =>
        new("op", verb, group, resource, sub, ns, name, "");

    private static GrantedRule Rule(string[] groups, string[] resources, string[] verbs, string? ns = null, string[]? names = null) =>
        new(new V1PolicyRule { ApiGroups = groups, Resources = resources, Verbs = verbs, ResourceNames = names }, ns, ns is null ? "ClusterRole/test" : "Role/test");

    [Fact]
    public void A_request_needs_a_rule_naming_its_verb_group_and_resource()
    {
        var rules = new[] { Rule([""], ["pods"], ["get", "list"]) };
        var report = RbacCheck.Check(rules, [Request("get", "", "pods", "a", "p"), Request("create", "", "pods", "a"), Request("get", "apps", "pods", "a", "p")]);
        Assert.Equal([Request("create", "", "pods", "a"), Request("get", "apps", "pods", "a", "p")], report.Denied);
        Assert.Equal([new UnusedPermission("ClusterRole/test", null, "", "pods", "list")], report.Unused);
    }

    [Fact]
    public void A_subresource_needs_its_own_rule_unless_a_wildcard_covers_it()
    {
        var status = Request("update", "llamaoperator.dev", "llamatrainingjobs", "ml", "j", sub: "status");
        Assert.Single(RbacCheck.Check([Rule(["llamaoperator.dev"], ["llamatrainingjobs"], ["update"])], [status]).Denied);
        Assert.Empty(RbacCheck.Check([Rule(["llamaoperator.dev"], ["llamatrainingjobs/status"], ["update"])], [status]).Denied);
        Assert.Empty(RbacCheck.Check([Rule(["llamaoperator.dev"], ["*/status"], ["update"])], [status]).Denied);
        Assert.Empty(RbacCheck.Check([Rule(["*"], ["*"], ["*"])], [status]).Denied);
    }

    [Fact]
    public void A_role_covers_only_its_namespace_and_never_cluster_scoped_or_all_namespace_requests()
    {
        var role = Rule([""], ["pods", "nodes"], ["list"], ns: "ml");
        var report = RbacCheck.Check([role], [Request("list", "", "pods", "ml"), Request("list", "", "pods", "other"), Request("list", "", "pods"), Request("list", "", "nodes")]);
        Assert.Equal([Request("list", "", "pods", "other"), Request("list", "", "pods"), Request("list", "", "nodes")], report.Denied);
        Assert.Equal([new UnusedPermission("Role/test", "ml", "", "nodes", "list")], report.Unused);
    }

    [Fact]
    public void Resource_names_restrict_a_rule_to_those_objects()
    {
        var rule = Rule(["coordination.k8s.io"], ["leases"], ["get"], names: ["llama-operator"]);
        var report = RbacCheck.Check([rule], [Request("get", "coordination.k8s.io", "leases", "ops", "llama-operator"), Request("get", "coordination.k8s.io", "leases", "ops", "other")]);
        Assert.Equal([Request("get", "coordination.k8s.io", "leases", "ops", "other")], report.Denied);
    }

    [Fact]
    public void Discovery_is_allowed_to_everyone_and_other_non_resource_paths_need_a_cluster_rule()
    {
        var discovery = new AuditRecord("op", "get", "", "", "", "", "", "/apis/apps/v1");
        var metrics = new AuditRecord("op", "get", "", "", "", "", "", "/metrics");
        Assert.Equal([metrics], RbacCheck.Check([], [discovery, metrics]).Denied);
        var nonResource = new GrantedRule(new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] }, null, "ClusterRole/metrics");
        Assert.Empty(RbacCheck.Check([nonResource], [discovery, metrics]).Denied);
    }

    [Fact]
    public void Repeated_requests_are_reported_once()
    {
        var request = Request("delete", "", "pods", "a", "p");
        Assert.Single(RbacCheck.Check([], [request, request with { Path = "/x" }, request]).Denied);
    }
}
