using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Json;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>The built-in resources the dev cluster serves, with the defaults and checks the operator can observe.</summary>
public static class BuiltInKinds
{
    private static readonly PrinterColumn Age = new("Age", "date", 0, "CreationTimestamp", o => o["metadata"]?["creationTimestamp"]);

    private static PrinterColumn Path(string name, string type, string path, int priority = 0) =>
        new(name, type, priority, name, o => JsonPathLite.Evaluate(o, path));

    public static readonly ResourceKind Namespaces = new()
    {
        Group = "",
        Version = "v1",
        Plural = "namespaces",
        Kind = "Namespace",
        Singular = "namespace",
        Namespaced = false,
        ShortNames = ["ns"],
        Subresources = ["status"],
        SelectableFields = ["status.phase"],
        PrinterColumns = [Path("Status", "string", ".status.phase"), Age],
        PrepareForCreate = o => o["status"] = new JsonObject { ["phase"] = "Active" },
    };

    public static readonly ResourceKind Pods = new()
    {
        Group = "",
        Version = "v1",
        Plural = "pods",
        Kind = "Pod",
        Singular = "pod",
        Namespaced = true,
        ShortNames = ["po"],
        Categories = ["all"],
        Subresources = ["status", "log", "binding"],
        SelectableFields = ["spec.nodeName", "spec.schedulerName", "spec.restartPolicy", "status.phase", "status.podIP"],
        PrinterColumns =
        [
            new("Ready", "string", 0, "The number of ready containers", PodColumns.Ready),
            new("Status", "string", 0, "The pod's status", PodColumns.Status),
            new("Restarts", "string", 0, "Container restarts", PodColumns.Restarts),
            Age,
            Path("IP", "string", ".status.podIP", 1),
            Path("Node", "string", ".spec.nodeName", 1),
        ],
        PrepareForCreate = PodDefaults.Apply,
        Validate = PodDefaults.Check,
    };

    public static readonly ResourceKind Services = new()
    {
        Group = "",
        Version = "v1",
        Plural = "services",
        Kind = "Service",
        Singular = "service",
        Namespaced = true,
        ShortNames = ["svc"],
        Categories = ["all"],
        Subresources = ["status"],
        PrinterColumns = [Path("Type", "string", ".spec.type"), Path("Cluster-IP", "string", ".spec.clusterIP"), Age],
        PrepareForCreate = ServiceDefaults.Apply,
    };

    public static readonly ResourceKind ConfigMaps = new()
    {
        Group = "",
        Version = "v1",
        Plural = "configmaps",
        Kind = "ConfigMap",
        Singular = "configmap",
        Namespaced = true,
        ShortNames = ["cm"],
        PrinterColumns = [new("Data", "integer", 0, "Number of keys", o => (o["data"] as JsonObject)?.Count ?? 0), Age],
    };

    public static readonly ResourceKind Secrets = new()
    {
        Group = "",
        Version = "v1",
        Plural = "secrets",
        Kind = "Secret",
        Singular = "secret",
        Namespaced = true,
        SelectableFields = ["type"],
        PrinterColumns = [Path("Type", "string", ".type"), new("Data", "integer", 0, "Number of keys", o => (o["data"] as JsonObject)?.Count ?? 0), Age],
        PrepareForCreate = SecretDefaults.Apply,
        PrepareForWrite = SecretDefaults.FoldStringData,
    };

    public static readonly ResourceKind ServiceAccounts = new()
    {
        Group = "",
        Version = "v1",
        Plural = "serviceaccounts",
        Kind = "ServiceAccount",
        Singular = "serviceaccount",
        Namespaced = true,
        ShortNames = ["sa"],
        PrinterColumns = [Age],
    };

    public static readonly ResourceKind Events = new()
    {
        Group = "",
        Version = "v1",
        Plural = "events",
        Kind = "Event",
        Singular = "event",
        Namespaced = true,
        ShortNames = ["ev"],
        SelectableFields = ["involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid", "reason", "type"],
        PrinterColumns = [Path("Type", "string", ".type"), Path("Reason", "string", ".reason"), Path("Object", "string", ".involvedObject.name"), Path("Message", "string", ".message"), Age],
    };

    public static readonly ResourceKind Nodes = new()
    {
        Group = "",
        Version = "v1",
        Plural = "nodes",
        Kind = "Node",
        Singular = "node",
        Namespaced = false,
        ShortNames = ["no"],
        Subresources = ["status"],
        SelectableFields = ["spec.unschedulable"],
        PrinterColumns =
        [
            new("Status", "string", 0, "Node readiness", o => (string?)JsonPathLite.Evaluate(o, ".status.conditions[?(@.type==\"Ready\")].status") == "True" ? "Ready" : "NotReady"),
            new("Roles", "string", 0, "Roles", _ => "<none>"),
            Age,
            Path("Version", "string", ".status.nodeInfo.kubeletVersion"),
            Path("GPUs", "string", ".status.allocatable['nvidia.com/gpu']", 1),
        ],
    };

    public static readonly ResourceKind EventsV1 = Events with { Group = "events.k8s.io", SelectableFields = ["reason", "type", "regarding.kind", "regarding.name", "regarding.namespace", "regarding.uid"], PrinterColumns = [Path("Type", "string", ".type"), Path("Reason", "string", ".reason"), Path("Object", "string", ".regarding.name"), Age], Categories = [] };

    public static readonly ResourceKind Leases = new()
    {
        Group = "coordination.k8s.io",
        Version = "v1",
        Plural = "leases",
        Kind = "Lease",
        Singular = "lease",
        Namespaced = true,
        PrinterColumns = [Path("Holder", "string", ".spec.holderIdentity"), Age],
    };

    public static readonly ResourceKind CustomResourceDefinitions = new()
    {
        Group = "apiextensions.k8s.io",
        Version = "v1",
        Plural = "customresourcedefinitions",
        Kind = "CustomResourceDefinition",
        Singular = "customresourcedefinition",
        Namespaced = false,
        ShortNames = ["crd", "crds"],
        Subresources = ["status"],
        TracksGeneration = true,
        PrinterColumns = [new("Created At", "date", 0, "CreationTimestamp", o => o["metadata"]?["creationTimestamp"])],
        Validate = CrdKinds.Check,
    };

    // Stored only (no controller acts on them): enough to install a Helm chart and read it back.
    public static readonly ResourceKind Deployments = new()
    {
        Group = "apps",
        Version = "v1",
        Plural = "deployments",
        Kind = "Deployment",
        Singular = "deployment",
        Namespaced = true,
        ShortNames = ["deploy"],
        Categories = ["all"],
        Subresources = ["status"],
        TracksGeneration = true,
        PrinterColumns = [Path("Replicas", "integer", ".spec.replicas"), Age],
    };

    public static readonly ResourceKind PodDisruptionBudgets = new()
    {
        Group = "policy",
        Version = "v1",
        Plural = "poddisruptionbudgets",
        Kind = "PodDisruptionBudget",
        Singular = "poddisruptionbudget",
        Namespaced = true,
        ShortNames = ["pdb"],
        Subresources = ["status"],
        TracksGeneration = true,
        PrinterColumns = [Path("Min Available", "string", ".spec.minAvailable"), Age],
    };

    public static readonly ResourceKind NetworkPolicies = new()
    {
        Group = "networking.k8s.io",
        Version = "v1",
        Plural = "networkpolicies",
        Kind = "NetworkPolicy",
        Singular = "networkpolicy",
        Namespaced = true,
        ShortNames = ["netpol"],
        TracksGeneration = true,
        PrinterColumns = [Path("Pod-Selector", "string", ".spec.podSelector"), Age],
    };

    /// <summary>Validating admission webhooks: the API server calls the matching ones on create and update (see Admission).</summary>
    public static readonly ResourceKind ValidatingWebhookConfigurations = new()
    {
        Group = "admissionregistration.k8s.io",
        Version = "v1",
        Plural = "validatingwebhookconfigurations",
        Kind = "ValidatingWebhookConfiguration",
        Singular = "validatingwebhookconfiguration",
        Namespaced = false,
        TracksGeneration = true,
        PrinterColumns = [new("Webhooks", "integer", 0, "The number of webhooks", o => JsonValue.Create((o["webhooks"] as JsonArray)?.Count ?? 0)), Age],
    };

    private static ResourceKind Rbac(string plural, string kind, bool namespaced) => new()
    {
        Group = "rbac.authorization.k8s.io",
        Version = "v1",
        Plural = plural,
        Kind = kind,
        Singular = kind.ToLowerInvariant(),
        Namespaced = namespaced,
        PrinterColumns = [Age],
    };

    public static readonly ResourceKind ClusterRoles = Rbac("clusterroles", "ClusterRole", namespaced: false);
    public static readonly ResourceKind ClusterRoleBindings = Rbac("clusterrolebindings", "ClusterRoleBinding", namespaced: false);
    public static readonly ResourceKind Roles = Rbac("roles", "Role", namespaced: true);
    public static readonly ResourceKind RoleBindings = Rbac("rolebindings", "RoleBinding", namespaced: true);

    public static IReadOnlyList<ResourceKind> All { get; } =
        [Namespaces, Pods, Services, ConfigMaps, Secrets, ServiceAccounts, Events, Nodes, Leases, EventsV1, CustomResourceDefinitions,
         Deployments, PodDisruptionBudgets, NetworkPolicies, ClusterRoles, ClusterRoleBindings, Roles, RoleBindings, ValidatingWebhookConfigurations];
}
