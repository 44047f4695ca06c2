using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Controllers;

/// <summary>
/// Serves what CRDs define: registers their kinds, marks them NamesAccepted and Established, and on
/// deletion removes their custom resources and stops serving them.
/// </summary>
internal sealed class CrdController(ObjectStore store, ResourceRegistry registry, TimeProvider time)
{
    public void Handle(StoreChange change)
    {
        if (change.Object.Ref.Kind.StorageId != BuiltInKinds.CustomResourceDefinitions.StorageId)
        {
            return;
        }
        var crd = change.Object.ToJson();
        var group = (string?)crd["spec"]?["group"] ?? "";
        var plural = (string?)crd["spec"]?["names"]?["plural"] ?? "";
        if (change.Type == WatchEventType.Deleted)
        {
            var kind = registry.Kinds.FirstOrDefault(k => k.Group == group && k.Plural == plural);
            if (kind is not null)
            {
                foreach (var item in store.List(kind, null).Items)
                {
                    store.Delete(kind, item.Namespace, item.Name, DeleteOptions.Default);
                }
            }
            registry.Unregister(group, plural);
            return;
        }
        Establish(crd);
    }

    /// <summary>Registers the CRD's kinds and records Established; idempotent.</summary>
    public void Establish(JsonObject crd)
    {
        var group = (string?)crd["spec"]?["group"] ?? "";
        var plural = (string?)crd["spec"]?["names"]?["plural"] ?? "";
        var kinds = CrdKinds.FromCrd(crd);
        registry.Unregister(group, plural);
        foreach (var kind in kinds)
        {
            registry.Register(kind);
        }
        var established = crd["status"]?["conditions"] is JsonArray conditions
            && conditions.OfType<JsonObject>().Any(c => (string?)c["type"] == "Established" && (string?)c["status"] == "True");
        if (established)
        {
            return;
        }
        var now = time.GetUtcNow();
        var status = new JsonObject
        {
            ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone(),
            ["storedVersions"] = new JsonArray(kinds.Select(k => (JsonNode)k.Version).Take(1).ToArray()),
        };
        var updated = new JsonObject { ["status"] = status };
        PodConditions.Set(updated, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
        PodConditions.Set(updated, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
        store.UpdateStatus(BuiltInKinds.CustomResourceDefinitions, "", (string?)crd["metadata"]?["name"] ?? "", updated);
    }
}
