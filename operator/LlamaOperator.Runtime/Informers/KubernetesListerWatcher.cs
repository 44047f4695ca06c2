using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace LlamaOperator.Runtime.Informers;

/// <summary>
/// Lists (paged) and watches through one KubernetesClient call, e.g. CoreV1.ListNamespacedPodWithHttpMessagesAsync
/// or CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync; see <see cref="ListerWatchers"/>.
/// </summary>
public sealed class KubernetesListerWatcher<T, TList> : IListerWatcher<T>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IMetadata<V1ListMeta>, IItems<T>
{
    private readonly Func<ListRequest, CancellationToken, Task<HttpOperationResponse<TList>>> _call;
    private readonly ListRequest _scope;
    private readonly int _pageSize;

    /// <param name="call">Issues the request; it must pass every field of the <see cref="ListRequest"/> on.</param>
    /// <param name="scope">Namespace, label and field selectors of every request.</param>
    public KubernetesListerWatcher(
        Func<ListRequest, CancellationToken, Task<HttpOperationResponse<TList>>> call,
        ListRequest? scope = null,
        int pageSize = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _call = call;
        _scope = scope ?? new ListRequest();
        _pageSize = pageSize;
    }

    public async Task<ListResult<T>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string? resourceVersion;
        do
        {
            using var response = await _call(_scope with { Limit = _pageSize, Continue = continueToken }, cancellationToken);
            items.AddRange(response.Body.Items);
            resourceVersion = response.Body.Metadata?.ResourceVersion;
            continueToken = response.Body.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        if (string.IsNullOrEmpty(resourceVersion))
        {
            throw new InvalidOperationException($"The list of {typeof(T).Name} returned no metadata.resourceVersion to watch from.");
        }

        return new ListResult<T>(items, resourceVersion);
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? streamError = null;
        var request = _scope with
        {
            Watch = true,
            ResourceVersion = resourceVersion,
            AllowWatchBookmarks = true,
            // Spread watch renewals like client-go does (5 to 10 minutes).
            TimeoutSeconds = 300 + Random.Shared.Next(300),
        };
        // WatchAsync<T, L> is marked obsolete in favour of per-kind WatchList*Async methods, which exist
        // only for built-ins (custom objects get untyped events); it is the one typed path for any kind.
#pragma warning disable CS0618
        var events = _call(request, cancellationToken).WatchAsync<T, TList>(e => streamError ??= e, cancellationToken);
#pragma warning restore CS0618
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool hasNext;
            try
            {
                hasNext = await enumerator.MoveNextAsync();
            }
            catch (Exception e) when (IsGone(e))
            {
                throw new ResourceVersionExpiredException($"Watch of {typeof(T).Name} from resourceVersion {resourceVersion}: {e.Message}", e);
            }

            if (streamError is not null)
            {
                throw IsGone(streamError)
                    ? new ResourceVersionExpiredException($"Watch of {typeof(T).Name} from resourceVersion {resourceVersion}: {streamError.Message}", streamError)
                    : new InvalidOperationException($"Watch of {typeof(T).Name} failed: {streamError.Message}", streamError);
            }

            if (!hasNext)
            {
                yield break;
            }

            var (type, obj) = enumerator.Current;
            if (type == WatchEventType.Error)
            {
                throw new InvalidOperationException($"Watch of {typeof(T).Name} sent an ERROR event.");
            }

            yield return new WatchEvent<T>(type, obj);
        }
    }

    private static bool IsGone(Exception e) => e switch
    {
        HttpOperationException http => http.Response?.StatusCode == HttpStatusCode.Gone,
        KubernetesException k8s => k8s.Status?.Code == (int)HttpStatusCode.Gone,
        _ => false,
    };
}
