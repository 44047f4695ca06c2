using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;

namespace LlamaOperator.DevCluster.Server;

/// <summary>The discovery documents (/version, /api, /api/v1, /apis, /apis/G, /apis/G/V) built from the registry.</summary>
public static class DiscoveryDocuments
{
    public const string KubernetesVersion = "v1.32.0";

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = KubernetesVersion + "-llamaop-devcluster",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "n/a (.NET)",
        ["compiler"] = "dotnet",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceRegistry registry) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(registry.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions)).ToArray()),
    };

    public static JsonObject? GroupOf(ResourceRegistry registry, string group)
    {
        var found = registry.Groups().FirstOrDefault(g => g.Group == group);
        if (found.Group is null)
        {
            return null;
        }
        var document = Group(found.Group, found.Versions);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public static JsonObject ResourceList(string groupVersion, IEnumerable<ResourceKind> kinds)
    {
        var resources = new JsonArray();
        foreach (var kind in kinds)
        {
            var main = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
            };
            if (kind.ShortNames.Count > 0)
            {
                main["shortNames"] = new JsonArray(kind.ShortNames.Select(s => (JsonNode)s).ToArray());
            }
            if (kind.Categories.Count > 0)
            {
                main["categories"] = new JsonArray(kind.Categories.Select(s => (JsonNode)s).ToArray());
            }
            resources.Add(main);
            foreach (var sub in kind.Subresources)
            {
                var verbs = sub switch
                {
                    "log" => new JsonArray("get"),
                    "binding" => new JsonArray("create"),
                    _ => new JsonArray("get", "patch", "update"),
                };
                resources.Add(new JsonObject
                {
                    ["name"] = $"{kind.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = kind.Namespaced,
                    ["kind"] = sub switch { "log" => "Pod", "binding" => "Binding", "scale" => "Scale", _ => kind.Kind },
                    ["verbs"] = verbs,
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions) => new()
    {
        ["name"] = name,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToArray()),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{name}/{versions[0]}", ["version"] = versions[0] },
    };
}
