using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Informers;

/// <summary>
/// Lists and watches one kind of object in one scope (namespace, label selector): the informer's only
/// boundary to the API server (client-go's ListerWatcher).
/// </summary>
public interface IListerWatcher<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>A consistent list of every object in scope, with the resourceVersion to watch from.</summary>
    Task<ListResult<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Changes after <paramref name="resourceVersion"/>; the stream ends when the server closes the watch.
    /// Throws <see cref="ResourceVersionExpiredException"/> when the version is too old (410 Gone).
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}
