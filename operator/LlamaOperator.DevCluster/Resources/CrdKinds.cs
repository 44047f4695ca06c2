using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Json;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>Turns a CustomResourceDefinition object into the resource kinds it serves (one per served version).</summary>
public static class CrdKinds
{
    public static IReadOnlyList<ResourceKind> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw new ArgumentException("CRD has no spec");
        var group = (string)spec["group"]!;
        var names = (JsonObject)spec["names"]!;
        var namespaced = (string?)spec["scope"] != "Cluster";
        var kinds = new List<ResourceKind>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }
            var schema = version["schema"]?["openAPIV3Schema"] as JsonObject;
            var subresources = new List<string>();
            if (version["subresources"]?["status"] is not null)
            {
                subresources.Add("status");
            }
            if (version["subresources"]?["scale"] is not null)
            {
                subresources.Add("scale");
            }
            kinds.Add(new ResourceKind
            {
                Group = group,
                Version = (string)version["name"]!,
                Plural = (string)names["plural"]!,
                Kind = (string)names["kind"]!,
                Singular = (string?)names["singular"] ?? ((string)names["kind"]!).ToLowerInvariant(),
                Namespaced = namespaced,
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                Subresources = subresources,
                TracksGeneration = true,
                ResetsStatusOnCreate = subresources.Contains("status"),
                Schema = schema is null ? null : new StructuralSchema((JsonObject)schema.DeepClone()),
                PrinterColumns = Columns(version["additionalPrinterColumns"] as JsonArray),
            });
        }
        return kinds;
    }

    /// <summary>The checks the real server makes on a CRD that a user can trip over, with field paths.</summary>
    public static IReadOnlyList<FieldError> Check(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject;
        var group = (string?)spec?["group"];
        var plural = (string?)spec?["names"]?["plural"];
        if (string.IsNullOrEmpty(group))
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        if (string.IsNullOrEmpty(plural))
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }
        if (string.IsNullOrEmpty((string?)spec?["names"]?["kind"]))
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }
        if ((string?)spec?["scope"] is not ("Namespaced" or "Cluster"))
        {
            errors.Add(FieldError.NotSupported("spec.scope", $"\"{(string?)spec?["scope"]}\"", ["\"Cluster\"", "\"Namespaced\""]));
        }
        if (spec?["versions"] is not JsonArray { Count: > 0 })
        {
            errors.Add(FieldError.Required("spec.versions"));
        }
        var name = (string?)crd["metadata"]?["name"];
        if (group is not null && plural is not null && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", $"must be spec.names.plural+\".\"+spec.group"));
        }
        return errors;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(x => (string?)x ?? "").ToList() : [];

    private static List<PrinterColumn> Columns(JsonArray? columns)
    {
        var age = new PrinterColumn("Age", "date", 0, "CreationTimestamp", o => o["metadata"]?["creationTimestamp"]);
        if (columns is null || columns.Count == 0)
        {
            return [age];
        }
        return columns.OfType<JsonObject>().Select(c =>
        {
            var path = (string?)c["jsonPath"] ?? "";
            return new PrinterColumn((string?)c["name"] ?? "", (string?)c["type"] ?? "string", c["priority"]?.GetValue<int>() ?? 0,
                (string?)c["description"] ?? "", o => JsonPathLite.Evaluate(o, path))
            { Format = (string?)c["format"] ?? "" };
        }).ToList();
    }
}
