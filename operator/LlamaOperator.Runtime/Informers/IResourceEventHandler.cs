namespace LlamaOperator.Runtime.Informers;

/// <summary>
/// Reacts to cache changes. Called on the informer's loop, one event at a time: keep it quick (enqueue a key).
/// </summary>
public interface IResourceEventHandler<in T>
{
    void OnAdd(T obj);

    void OnUpdate(T oldObj, T newObj);

    /// <summary>For a delete noticed on relist, <paramref name="obj"/> is the last state the cache had.</summary>
    void OnDelete(T obj);
}
