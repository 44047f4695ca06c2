using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Controllers;

/// <summary>
/// Owner-reference garbage collection as kube-controller-manager does it: a dependent whose owners
/// are all gone is deleted (background); an owner deleted in the foreground keeps its
/// "foregroundDeletion" finalizer until its dependents are gone; "orphan" strips the owner
/// references from the dependents and then lets the owner go.
/// </summary>
internal sealed class GarbageCollector(ObjectStore store)
{
    public void Handle(StoreChange change)
    {
        var obj = change.Object;
        switch (change.Type)
        {
            case WatchEventType.Deleted:
                foreach (var dependent in store.DependentsOf(obj.Uid))
                {
                    CollectIfOrphaned(dependent);
                }
                foreach (var owner in obj.Owners)
                {
                    if (store.GetByUid(owner.Uid) is { Deleting: true } ownerObject && ownerObject.Finalizers.Contains("foregroundDeletion"))
                    {
                        FinishForeground(ownerObject);
                    }
                }
                break;
            default:
                if (obj.Deleting && obj.Finalizers.Contains("orphan"))
                {
                    Orphan(obj);
                }
                if (obj.Deleting && obj.Finalizers.Contains("foregroundDeletion"))
                {
                    FinishForeground(obj);
                }
                if (change.Type == WatchEventType.Added && obj.Owners.Count > 0)
                {
                    CollectIfOrphaned(obj.Ref);
                }
                break;
        }
    }

    private void CollectIfOrphaned(ObjectRef dependent)
    {
        var current = store.Get(dependent.Kind, dependent.Namespace, dependent.Name);
        if (current is null || current.Deleting || current.Owners.Count == 0)
        {
            return;
        }
        var live = current.Owners.Where(o => store.GetByUid(o.Uid) is not null).ToList();
        if (live.Count == 0)
        {
            store.Delete(dependent.Kind, dependent.Namespace, dependent.Name, DeleteOptions.Default);
        }
        else if (live.Count < current.Owners.Count)
        {
            SetOwners(dependent, live.Select(o => o.Uid).ToHashSet());
        }
    }

    private void Orphan(StoredObject owner)
    {
        foreach (var dependent in store.DependentsOf(owner.Uid))
        {
            var current = store.Get(dependent.Kind, dependent.Namespace, dependent.Name);
            if (current is not null)
            {
                SetOwners(dependent, current.Owners.Where(o => o.Uid != owner.Uid).Select(o => o.Uid).ToHashSet());
            }
        }
        RemoveFinalizer(owner, "orphan");
    }

    private void FinishForeground(StoredObject owner)
    {
        var dependents = store.DependentsOf(owner.Uid);
        foreach (var dependent in dependents)
        {
            if (store.Get(dependent.Kind, dependent.Namespace, dependent.Name) is { Deleting: false })
            {
                store.Delete(dependent.Kind, dependent.Namespace, dependent.Name, new DeleteOptions { PropagationPolicy = "Foreground" });
            }
        }
        if (store.DependentsOf(owner.Uid).Count == 0)
        {
            RemoveFinalizer(owner, "foregroundDeletion");
        }
    }

    private void SetOwners(ObjectRef dependent, HashSet<string> keepUids) =>
        store.Replace(dependent.Kind, dependent.Namespace, dependent.Name, obj =>
        {
            var metadata = Meta.Of(obj);
            var kept = (metadata["ownerReferences"] as JsonArray ?? []).Where(o => keepUids.Contains((string?)o?["uid"] ?? "")).Select(o => o!.DeepClone()).ToArray();
            if (kept.Length == 0)
            {
                metadata.Remove("ownerReferences");
            }
            else
            {
                metadata["ownerReferences"] = new JsonArray(kept);
            }
            return obj;
        });

    private void RemoveFinalizer(StoredObject owner, string finalizer) =>
        store.Replace(owner.Ref.Kind, owner.Namespace, owner.Name, obj =>
        {
            var metadata = Meta.Of(obj);
            metadata["finalizers"] = new JsonArray(Meta.Finalizers(obj).Where(f => f != finalizer).Select(f => (JsonNode)f).ToArray());
            return obj;
        });
}
