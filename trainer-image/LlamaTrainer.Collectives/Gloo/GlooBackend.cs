using System.Diagnostics;
using LlamaTrainer.Collectives.Rendezvous;
using Serilog;

namespace LlamaTrainer.Collectives.Gloo;

/// <summary>
/// Gloo process groups of one gang over TCP. Each group is its own Gloo context: its members meet through
/// <paramref name="store"/> under the group's name and then connect a full mesh, listening on
/// <paramref name="bindAddress"/> (the pod's IP; Gloo picks ephemeral ports, so the gang's pods must reach each other
/// on all ports). <paramref name="timeout"/> bounds every collective.
/// </summary>
public sealed class GlooBackend(IKeyValueStore store, int globalRank, int worldSize, string bindAddress, TimeSpan timeout) : ICollectiveBackend
{
    private static readonly ILogger Logger = Log.ForContext<GlooBackend>();

    private readonly List<GlooCommunicator> _groups = [];
    private readonly HashSet<string> _names = [];

    public ICommunicator CreateGroup(string name, IReadOnlyList<int> globalRanks)
    {
        var rank = GroupMembers.Validate(name, globalRanks, globalRank, worldSize, _names);
        var description = GroupMembers.Describe(name, globalRanks);
        var started = Stopwatch.GetTimestamp();
        var context = Connect(name, description, rank, globalRanks.Count);
        var communicator = new GlooCommunicator(context, description, [.. globalRanks], rank, timeout);
        _groups.Add(communicator);
        _names.Add(name);
        Logger.Information("Gloo {Group} connected: group rank {GroupRank} of {Size} in {Milliseconds:0} ms", description, rank, globalRanks.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return communicator;
    }

    public void Dispose()
    {
        foreach (var group in _groups)
            group.Dispose();
        _groups.Clear();
    }

    private unsafe IntPtr Connect(string name, string description, int rank, int size)
    {
        using var bridge = new GlooStoreBridge(store);
        var callbacks = bridge.Callbacks;
        var status = GlooNative.ContextCreate(&callbacks, $"gloo/{name}", rank, size, bindAddress, (long)timeout.TotalMilliseconds, out var context);
        if (status == GlooNative.Status.Ok)
            return context;
        var (message, _) = GlooNative.LastError();
        var where = $"connecting Gloo {description} at global rank {globalRank} (bind address {bindAddress})";
        throw status switch
        {
            GlooNative.Status.StoreError when bridge.Failure is CollectiveException failure => Rewrap(failure, $"{where}: {failure.Message}"),
            GlooNative.Status.StoreError => new PeerFailureException($"{where}: the rendezvous store at {store.Address} failed: {bridge.Failure?.Message ?? message}", bridge.Failure),
            GlooNative.Status.Timeout => new CollectiveTimeoutException($"{where} timed out after {timeout.TotalSeconds:0.###} s: {message}"),
            GlooNative.Status.Invalid => new ArgumentException($"{where}: {message}"),
            _ => new PeerFailureException($"{where} failed: {message}"),
        };
    }

    private static CollectiveException Rewrap(CollectiveException failure, string message) => failure switch
    {
        CollectiveTimeoutException => new CollectiveTimeoutException(message, failure),
        _ => new PeerFailureException(message, failure),
    };
}
