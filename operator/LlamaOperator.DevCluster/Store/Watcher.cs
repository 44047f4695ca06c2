using System.Threading.Channels;
using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Store;

/// <summary>A watch on one kind: namespace and selector filters, and the queue of events it has yet to send.</summary>
public sealed class Watcher : IDisposable
{
    private readonly Channel<WatchDelivery> _queue = Channel.CreateUnbounded<WatchDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Watcher> _unregister;

    internal Watcher(string? ns, LabelSelector labels, FieldSelector fields, Action<Watcher> unregister)
    {
        Namespace = ns;
        LabelSelector = labels;
        FieldSelector = fields;
        _unregister = unregister;
    }

    public string? Namespace { get; }
    public LabelSelector LabelSelector { get; }
    public FieldSelector FieldSelector { get; }
    public ChannelReader<WatchDelivery> Events => _queue.Reader;

    internal bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && LabelSelector.Matches(obj.Labels) && FieldSelector.Matches(obj.Fields);

    /// <summary>Offers a record; a label-filtered watch sees objects entering (ADDED) and leaving (DELETED) its selection.</summary>
    internal void Offer(WatchRecord record)
    {
        var now = Matches(record.Object);
        WatchEventType? type = record.Type switch
        {
            WatchEventType.Added => now ? WatchEventType.Added : null,
            WatchEventType.Deleted => now ? WatchEventType.Deleted : null,
            _ => (record.Previous is not null && Matches(record.Previous), now) switch
            {
                (true, true) => WatchEventType.Modified,
                (false, true) => WatchEventType.Added,
                (true, false) => WatchEventType.Deleted,
                _ => null,
            },
        };
        if (type is { } t)
        {
            _queue.Writer.TryWrite(new WatchDelivery(t, record.Object, record.Line(t)));
        }
    }

    internal void OfferInitial(StoredObject obj, byte[] line) => _queue.Writer.TryWrite(new WatchDelivery(WatchEventType.Added, obj, line));

    internal void Complete() => _queue.Writer.TryComplete();

    public void Dispose()
    {
        _unregister(this);
        Complete();
    }
}
