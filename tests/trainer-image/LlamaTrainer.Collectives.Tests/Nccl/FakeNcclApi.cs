using LlamaTrainer.Collectives.Nccl;
using Result = LlamaTrainer.Collectives.Nccl.NcclNative.Result;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>
/// NCCL and the CUDA runtime as a script: how long a call stays InProgress, whether and when an async error appears,
/// after how many queries the GPU finishes. Records every call, so tests see what reached the "library".
/// </summary>
internal sealed class FakeNcclApi(byte seed = 3) : INcclApi
{
    public static readonly IntPtr Comm = 0x1000;
    public static readonly IntPtr Event = 0x2000;

    private int _turns;
    private int _queries;

    public List<string> Calls { get; } = [];

    /// <summary>What the launch (and init) calls return.</summary>
    public Result LaunchResult { get; set; } = Result.Success;

    /// <summary>How many async-state reads after a launch or init say InProgress (NCCL still enqueueing).</summary>
    public int EnqueueTurns { get; set; }

    /// <summary>After this many async-state reads since the launch, the state becomes <see cref="AsyncError"/>; null: never.</summary>
    public int? FailAfterTurns { get; set; }

    public Result AsyncError { get; set; } = Result.RemoteError;

    /// <summary>The GPU finishes on this event query since the record; null: never (a silent peer).</summary>
    public int? CompleteAfterQueries { get; set; } = 1;

    /// <summary>A CUDA error for every event query instead of progress; 0: none.</summary>
    public int QueryError { get; set; }

    /// <summary>Thrown by <see cref="Require"/>, as the real one does for a missing library or device.</summary>
    public Exception? Missing { get; set; }

    public byte[] NewUniqueId { get; } = [.. Enumerable.Range(0, NcclNative.UniqueIdBytes).Select(i => (byte)(i * 7 + seed))];

    public byte[]? InitUniqueId { get; private set; }

    public int Aborts { get; private set; }

    public int Destroys { get; private set; }

    public int EventsDestroyed { get; private set; }

    public void Require(int cudaDevice)
    {
        Calls.Add($"require cuda:{cudaDevice}");
        if (Missing is not null)
            throw Missing;
    }

    public Result GetUniqueId(byte[] uniqueId)
    {
        Calls.Add("unique id");
        NewUniqueId.CopyTo(uniqueId, 0);
        return Result.Success;
    }

    public Result CommInitRank(out IntPtr comm, int size, byte[] uniqueId, int rank)
    {
        Calls.Add($"init rank {rank} of {size}");
        InitUniqueId = [.. uniqueId];
        comm = Comm;
        return Launched();
    }

    public Result AllReduce(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm) =>
        Launch($"all-reduce {send:x}->{receive:x} count {count} {type} {op}");

    public Result ReduceScatter(IntPtr send, IntPtr receive, nuint receiveCount, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm) =>
        Launch($"reduce-scatter {send:x}->{receive:x} count {receiveCount} {type} {op}");

    public Result AllGather(IntPtr send, IntPtr receive, nuint sendCount, NcclNative.DataType type, IntPtr comm) =>
        Launch($"all-gather {send:x}->{receive:x} count {sendCount} {type}");

    public Result Broadcast(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, int root, IntPtr comm) =>
        Launch($"broadcast {send:x}->{receive:x} count {count} {type} root {root}");

    public Result Send(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm) =>
        Launch($"send {data:x} count {count} {type} to {peer}");

    public Result Receive(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm) =>
        Launch($"receive {data:x} count {count} {type} from {peer}");

    public Result GroupStart()
    {
        Calls.Add("group start");
        return Result.Success;
    }

    public Result GroupEnd() => Launch("group end");

    public Result CommGetAsyncError(IntPtr comm, out Result state)
    {
        Assert.Equal(Comm, comm);
        _turns++;
        state = FailAfterTurns is { } failAfter && _turns > failAfter ? AsyncError
            : _turns <= EnqueueTurns ? Result.InProgress
            : Result.Success;
        return Result.Success;
    }

    public Result CommAbort(IntPtr comm)
    {
        Calls.Add("abort");
        Aborts++;
        return Result.Success;
    }

    public Result CommDestroy(IntPtr comm)
    {
        Calls.Add("destroy");
        Destroys++;
        return Result.Success;
    }

    public string ErrorString(Result result) => $"nccl says {result}";

    public string LastError(IntPtr comm) => "last error detail";

    public int SetDevice(int cudaDevice) => CudaNative.Success;

    public int EventCreate(out IntPtr cudaEvent)
    {
        cudaEvent = Event;
        return CudaNative.Success;
    }

    public int EventRecord(IntPtr cudaEvent)
    {
        Calls.Add("record");
        _queries = 0;
        return CudaNative.Success;
    }

    public int EventQuery(IntPtr cudaEvent)
    {
        if (QueryError != 0)
            return QueryError;
        _queries++;
        return CompleteAfterQueries is { } after && _queries >= after ? CudaNative.Success : CudaNative.NotReady;
    }

    public int EventDestroy(IntPtr cudaEvent)
    {
        EventsDestroyed++;
        return CudaNative.Success;
    }

    public string CudaErrorString(int error) => $"CUDA error {error}";

    private Result Launch(string call)
    {
        Calls.Add(call);
        return Launched();
    }

    private Result Launched()
    {
        _turns = 0;
        return LaunchResult;
    }
}
