using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>
/// The PodGroup CRDs the gang scheduler honours, registered at start so an operator can create
/// PodGroups: scheduler-plugins (scheduling.x-k8s.io/v1alpha1, pods name it by the label
/// `scheduling.x-k8s.io/pod-group`) and Volcano (scheduling.volcano.sh/v1beta1, pods name it by the
/// annotation `scheduling.k8s.io/group-name`).
/// </summary>
public static class PodGroupCrds
{
    public const string CoschedulingGroup = "scheduling.x-k8s.io";
    public const string CoschedulingLabel = "scheduling.x-k8s.io/pod-group";
    public const string VolcanoGroup = "scheduling.volcano.sh";
    public const string VolcanoAnnotation = "scheduling.k8s.io/group-name";

    public static IReadOnlyList<JsonObject> All() =>
    [
        Crd(CoschedulingGroup, "v1alpha1", "podgroups", "PodGroup", ["pg", "pgs"], new JsonObject
        {
            ["minMember"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 0 },
            ["minResources"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            ["scheduleTimeoutSeconds"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        }),
        Crd(VolcanoGroup, "v1beta1", "podgroups", "PodGroup", ["pg", "podgroup-v1beta1"], new JsonObject
        {
            ["minMember"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["minimum"] = 0 },
            ["minResources"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            ["minTaskMember"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            ["queue"] = new JsonObject { ["type"] = "string" },
            ["priorityClassName"] = new JsonObject { ["type"] = "string" },
            ["networkTopology"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
        }),
    ];

    private static JsonObject Crd(string group, string version, string plural, string kind, string[] shortNames, JsonObject specProperties) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.{group}" },
        ["spec"] = new JsonObject
        {
            ["group"] = group,
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject
            {
                ["plural"] = plural,
                ["singular"] = kind.ToLowerInvariant(),
                ["kind"] = kind,
                ["listKind"] = kind + "List",
                ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode)s).ToArray()),
            },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = version,
                ["served"] = true,
                ["storage"] = true,
                ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                ["additionalPrinterColumns"] = new JsonArray(
                    new JsonObject { ["name"] = "MinMember", ["type"] = "integer", ["jsonPath"] = ".spec.minMember" },
                    new JsonObject { ["name"] = "Phase", ["type"] = "string", ["jsonPath"] = ".status.phase" },
                    new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }),
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["apiVersion"] = new JsonObject { ["type"] = "string" },
                            ["kind"] = new JsonObject { ["type"] = "string" },
                            ["metadata"] = new JsonObject { ["type"] = "object" },
                            ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = specProperties },
                            ["status"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                        },
                    },
                },
            }),
        },
    };
}
