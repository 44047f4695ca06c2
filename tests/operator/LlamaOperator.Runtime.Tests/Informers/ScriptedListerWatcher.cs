using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s.Models;
using LlamaOperator.Runtime.Informers;

namespace LlamaOperator.Runtime.Tests.Informers;

/// <summary>A lister-watcher the test drives: it queues list answers and feeds each opened watch.</summary>
internal sealed class ScriptedListerWatcher : IListerWatcher<V1ConfigMap>
{
    private readonly Channel<Func<ListResult<V1ConfigMap>>> _lists = Channel.CreateUnbounded<Func<ListResult<V1ConfigMap>>>();
    private readonly Channel<OpenWatch> _watches = Channel.CreateUnbounded<OpenWatch>();
    private int _listCalls;

    public int ListCalls => Volatile.Read(ref _listCalls);

    public void AnswerList(string resourceVersion, params V1ConfigMap[] items) =>
        _lists.Writer.TryWrite(() => new ListResult<V1ConfigMap>(items, resourceVersion));

    public void FailList(Exception error) => _lists.Writer.TryWrite(() => throw error);

    /// <summary>The next watch the informer opens.</summary>
    public async Task<OpenWatch> NextWatchAsync() =>
        await _watches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async Task<ListResult<V1ConfigMap>> ListAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listCalls);
        var answer = await _lists.Reader.ReadAsync(cancellationToken);
        return answer();
    }

    public async IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watch = new OpenWatch(resourceVersion);
        _watches.Writer.TryWrite(watch);
        await foreach (var e in watch.Events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    public sealed class OpenWatch(string resourceVersion)
    {
        public string ResourceVersion { get; } = resourceVersion;

        public Channel<WatchEvent<V1ConfigMap>> Events { get; } = Channel.CreateUnbounded<WatchEvent<V1ConfigMap>>();

        public void Send(k8s.WatchEventType type, V1ConfigMap obj) => Events.Writer.TryWrite(new WatchEvent<V1ConfigMap>(type, obj));

        public void Close() => Events.Writer.TryComplete();

        public void Fail(Exception error) => Events.Writer.TryComplete(error);
    }
}
