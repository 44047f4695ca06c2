using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;

namespace LlamaOperator.DevCluster.Server;

/// <summary>
/// A minimal OpenAPI v3 (/openapi/v3 and one document per group version). It declares, for every
/// kind, the PATCH operation with the fieldValidation parameter: that tells kubectl the server
/// validates fields itself, so `kubectl apply` validates server-side (against the CRD schema).
/// </summary>
public static class OpenApiDocuments
{
    public static JsonObject Root(ResourceRegistry registry)
    {
        var paths = new JsonObject();
        foreach (var groupVersion in registry.Kinds.Select(k => (k.Group, k.Version)).Distinct())
        {
            var key = PathKey(groupVersion.Group, groupVersion.Version);
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash(registry, groupVersion.Group, groupVersion.Version)}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceRegistry registry, string group, string version)
    {
        var kinds = registry.InGroupVersion(group, version);
        if (kinds.Count == 0)
        {
            return null;
        }
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var kind in kinds)
        {
            var prefix = group.Length == 0 ? "/api/v1" : $"/apis/{group}/{version}";
            var path = kind.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{kind.Plural}/{{name}}" : $"{prefix}/{kind.Plural}/{{name}}";
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind.Kind };
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{kind.Kind}",
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes (llamaop dev cluster)", ["version"] = DiscoveryDocuments.KubernetesVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    public static string PathKey(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static string Hash(ResourceRegistry registry, string group, string version) =>
        string.Join(",", registry.InGroupVersion(group, version).Select(k => k.Plural)).GetHashCode(StringComparison.Ordinal).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
}
