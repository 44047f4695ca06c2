using k8s;
using k8s.Models;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Queue;

namespace LlamaOperator.Runtime.Informers;

/// <summary>
/// Turns every change of an object into work-queue keys through a mapping (the object itself, its owner,
/// a label value...). An update enqueues the keys of both the old and the new state, so a changed owner
/// or label reaches both reconcilers.
/// </summary>
public sealed class EnqueueHandler<T> : IResourceEventHandler<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly WorkQueue<ObjectKey> _queue;
    private readonly Func<T, IEnumerable<ObjectKey>> _map;
    private readonly Func<T, T, bool> _updateFilter;

    /// <param name="updateFilter">Whether an update is worth a reconcile (e.g. <see cref="UpdateFilters.GenerationChanged"/>); all by default.</param>
    public EnqueueHandler(WorkQueue<ObjectKey> queue, Func<T, IEnumerable<ObjectKey>> map, Func<T, T, bool>? updateFilter = null)
    {
        _queue = queue;
        _map = map;
        _updateFilter = updateFilter ?? ((_, _) => true);
    }

    public void OnAdd(T obj) => Enqueue(obj);

    public void OnUpdate(T oldObj, T newObj)
    {
        if (!_updateFilter(oldObj, newObj))
        {
            return;
        }

        Enqueue(oldObj);
        Enqueue(newObj);
    }

    public void OnDelete(T obj) => Enqueue(obj);

    private void Enqueue(T obj)
    {
        foreach (var key in _map(obj))
        {
            _queue.Add(key);
        }
    }
}
