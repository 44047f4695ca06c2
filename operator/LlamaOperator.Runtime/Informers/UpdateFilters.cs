using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Informers;

/// <summary>Filters for <see cref="EnqueueHandler{T}"/> that skip updates a reconciler does not care about.</summary>
public static class UpdateFilters
{
    /// <summary>
    /// True when metadata.generation changed (the spec changed): skips the status-only updates a reconciler
    /// makes itself, which would otherwise requeue it in a loop.
    /// </summary>
    public static bool GenerationChanged(IMetadata<V1ObjectMeta> oldObj, IMetadata<V1ObjectMeta> newObj) =>
        oldObj.Metadata?.Generation != newObj.Metadata?.Generation;

    /// <summary>True when the object changed at all (a relist reports unchanged objects as updates too).</summary>
    public static bool ResourceVersionChanged(IMetadata<V1ObjectMeta> oldObj, IMetadata<V1ObjectMeta> newObj) =>
        oldObj.Metadata?.ResourceVersion != newObj.Metadata?.ResourceVersion;
}
