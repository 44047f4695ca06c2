using System.Text;

namespace LlamaOperator.DevCluster.Store;

/// <summary>
/// One committed event in a kind's history. The watch line (`{"type":...,"object":...}\n`) is built
/// once per event type and shared by every watcher, so fan-out costs a filter check and a queue write.
/// </summary>
public sealed class WatchRecord(long revision, WatchEventType type, StoredObject obj, StoredObject? previous)
{
    private static readonly byte[] Tail = Encoding.UTF8.GetBytes("}\n");
    private readonly byte[]?[] _lines = new byte[3][];

    public long Revision { get; } = revision;
    public WatchEventType Type { get; } = type;
    public StoredObject Object { get; } = obj;
    public StoredObject? Previous { get; } = previous;

    public byte[] Line(WatchEventType type)
    {
        var index = (int)type;
        if (_lines[index] is { } cached)
        {
            return cached;
        }
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{TypeName(type)}\",\"object\":");
        var line = new byte[head.Length + Object.Json.Length + Tail.Length];
        head.CopyTo(line, 0);
        Object.Json.CopyTo(line, head.Length);
        Tail.CopyTo(line, head.Length + Object.Json.Length);
        _lines[index] = line;
        return line;
    }

    public static string TypeName(WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };
}
