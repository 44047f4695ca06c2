using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Caching;

/// <summary>
/// The informer's in-memory store: objects by namespace/name plus secondary indexes. Reconcilers read
/// it; only the informer writes. Returned objects are shared: treat them as read-only (copy before changing).
/// </summary>
public sealed class Cache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, T> _items = [];
    private readonly Dictionary<string, Index> _indexes = [];

    public Cache()
    {
        AddIndex(Indexers.NamespaceIndex, Indexers.ByNamespace);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds a secondary index; objects already cached are indexed at once.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexFunc)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            if (_indexes.ContainsKey(name))
            {
                throw new ArgumentException($"The cache already has an index named '{name}'.", nameof(name));
            }

            var index = new Index(indexFunc);
            foreach (var (key, obj) in _items)
            {
                index.Add(key, obj);
            }

            _indexes[name] = index;
        }
    }

    public T? Get(ObjectKey key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public T? Get(string? @namespace, string name) => Get(new ObjectKey(@namespace, name));

    public IReadOnlyList<T> List()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<T> List(string @namespace) => ByIndex(Indexers.NamespaceIndex, @namespace);

    /// <summary>The objects whose index function yielded <paramref name="value"/> for index <paramref name="indexName"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_gate)
        {
            if (!_indexes.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException(
                    $"The cache has no index named '{indexName}'; known indexes: {string.Join(", ", _indexes.Keys.Order())}.",
                    nameof(indexName));
            }

            return index.Keys(value).Select(k => _items[k]).ToList();
        }
    }

    /// <summary>Stores <paramref name="obj"/>; returns the object it replaced, or null when it is new.</summary>
    internal T? Upsert(T obj)
    {
        var key = ObjectKey.From(obj);
        lock (_gate)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                RemoveFromIndexes(key, old);
            }

            _items[key] = obj;
            foreach (var index in _indexes.Values)
            {
                index.Add(key, obj);
            }

            return old;
        }
    }

    internal T? Remove(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            RemoveFromIndexes(key, old);
            return old;
        }
    }

    private void RemoveFromIndexes(ObjectKey key, T obj)
    {
        foreach (var index in _indexes.Values)
        {
            index.Remove(key, obj);
        }
    }

    private sealed class Index(Func<T, IEnumerable<string>> indexFunc)
    {
        private readonly Dictionary<string, HashSet<ObjectKey>> _byValue = [];

        public void Add(ObjectKey key, T obj)
        {
            foreach (var value in indexFunc(obj))
            {
                if (!_byValue.TryGetValue(value, out var keys))
                {
                    _byValue[value] = keys = [];
                }

                keys.Add(key);
            }
        }

        public void Remove(ObjectKey key, T obj)
        {
            foreach (var value in indexFunc(obj))
            {
                if (_byValue.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    _byValue.Remove(value);
                }
            }
        }

        public HashSet<ObjectKey> Keys(string value) => _byValue.TryGetValue(value, out var keys) ? keys : [];
    }
}
