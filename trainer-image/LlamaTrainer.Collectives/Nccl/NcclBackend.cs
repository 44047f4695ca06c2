using System.Diagnostics;
using LlamaTrainer.Collectives.Rendezvous;
using Serilog;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// NCCL process groups of one gang, one CUDA device per rank (<paramref name="cudaDevice"/>, the process's LOCAL_RANK).
/// Each group is its own communicator: its rank 0 makes the 128-byte unique id and publishes it in
/// <paramref name="store"/> under nccl/&lt;name&gt;/unique-id, the others read it there, and all start a non-blocking
/// init that must complete within <paramref name="timeout"/>, which also bounds every collective. Constructing it
/// loads libnccl.so.2 and libcudart.so.12 and checks the device, with a clear error saying what is missing.
/// </summary>
public sealed class NcclBackend : ICollectiveBackend
{
    private static readonly ILogger Logger = Log.ForContext<NcclBackend>();

    private readonly INcclApi _api;
    private readonly IKeyValueStore _store;
    private readonly int _globalRank;
    private readonly int _worldSize;
    private readonly int _cudaDevice;
    private readonly TimeSpan _timeout;
    private readonly List<NcclCommunicator> _groups = [];
    private readonly HashSet<string> _names = [];

    public NcclBackend(IKeyValueStore store, int globalRank, int worldSize, int cudaDevice, TimeSpan timeout)
        : this(NcclLibrary.Instance, store, globalRank, worldSize, cudaDevice, timeout)
    {
    }

    internal NcclBackend(INcclApi api, IKeyValueStore store, int globalRank, int worldSize, int cudaDevice, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (globalRank < 0 || globalRank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(globalRank), globalRank, $"global rank must be in 0..{worldSize - 1}");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        api.Require(cudaDevice);
        _api = api;
        _store = store;
        _globalRank = globalRank;
        _worldSize = worldSize;
        _cudaDevice = cudaDevice;
        _timeout = timeout;
    }

    /// <summary>The store key of a group's unique id (the store scopes it to the gang's generation).</summary>
    public static string UniqueIdKey(string name) => $"nccl/{name}/unique-id";

    public ICommunicator CreateGroup(string name, IReadOnlyList<int> globalRanks)
    {
        var rank = GroupMembers.Validate(name, globalRanks, _globalRank, _worldSize, _names);
        var description = GroupMembers.Describe(name, globalRanks);
        var started = Stopwatch.GetTimestamp();
        var uniqueId = Rendezvous(name, description, rank);
        var group = NcclGroup.Connect(_api, uniqueId, description, [.. globalRanks], rank, _cudaDevice, _timeout);
        var communicator = new NcclCommunicator(group);
        _groups.Add(communicator);
        _names.Add(name);
        Logger.Information("NCCL {Group} connected on cuda:{Device}: group rank {GroupRank} of {Size} in {Milliseconds:0} ms",
            description, _cudaDevice, rank, globalRanks.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return communicator;
    }

    public void Dispose()
    {
        foreach (var group in _groups)
            group.Dispose();
        _groups.Clear();
    }

    // Group rank 0 makes the id; every other member waits for it in the store (up to the store's timeout).
    private byte[] Rendezvous(string name, string description, int rank)
    {
        var key = UniqueIdKey(name);
        var where = $"connecting NCCL {description} at global rank {_globalRank}";
        var uniqueId = rank == 0 ? NewUniqueId(where) : [];
        try
        {
            if (rank == 0)
                _store.Set(key, uniqueId);
            else
                uniqueId = _store.Get(key);
        }
        catch (CollectiveTimeoutException e)
        {
            throw new CollectiveTimeoutException($"{where}: {e.Message}", e);
        }
        catch (PeerFailureException e)
        {
            throw new PeerFailureException($"{where}: {e.Message}", e);
        }
        if (uniqueId.Length != NcclNative.UniqueIdBytes)
            throw new InvalidOperationException($"{where}: the unique id under {key} at the rendezvous store {_store.Address} has {uniqueId.Length} bytes, expected {NcclNative.UniqueIdBytes}");
        return uniqueId;
    }

    private byte[] NewUniqueId(string where)
    {
        var uniqueId = new byte[NcclNative.UniqueIdBytes];
        var status = _api.GetUniqueId(uniqueId);
        if (status != NcclNative.Result.Success)
            throw NcclTypes.Failure(status, $"{where} failed: ncclGetUniqueId: {NcclTypes.Meaning(status)}: {_api.ErrorString(status)} ({_api.LastError(IntPtr.Zero)})");
        return uniqueId;
    }
}
