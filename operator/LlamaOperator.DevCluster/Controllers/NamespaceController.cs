using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Controllers;

/// <summary>Empties a terminating namespace (deletes everything in it) and removes it once nothing is left.</summary>
internal sealed class NamespaceController(ObjectStore store, ResourceRegistry registry)
{
    public void Handle(StoreChange change)
    {
        var kind = change.Object.Ref.Kind;
        if (kind.StorageId == BuiltInKinds.Namespaces.StorageId)
        {
            if (change.Type != WatchEventType.Deleted && change.Object.Deleting)
            {
                Drain(change.Object.Name);
            }
            return;
        }
        if (change.Type == WatchEventType.Deleted && kind.Namespaced
            && store.Get(BuiltInKinds.Namespaces, "", change.Object.Namespace) is { Deleting: true })
        {
            Drain(change.Object.Namespace);
        }
    }

    private void Drain(string ns)
    {
        var remaining = 0;
        foreach (var kind in registry.Kinds.Where(k => k.Namespaced).DistinctBy(k => k.StorageId))
        {
            foreach (var item in store.List(kind, ns).Items)
            {
                remaining++;
                if (!item.Deleting)
                {
                    try
                    {
                        store.Delete(kind, ns, item.Name, DeleteOptions.Default);
                    }
                    catch (ApiException e) when (e.Code == 404)
                    {
                        // Gone meanwhile.
                    }
                }
            }
        }
        if (remaining == 0 || registry.Kinds.Where(k => k.Namespaced).DistinctBy(k => k.StorageId).All(k => store.List(k, ns).Items.Count == 0))
        {
            store.RemoveNamespace(ns);
        }
    }
}
