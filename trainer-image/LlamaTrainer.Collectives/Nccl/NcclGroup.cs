using System.Diagnostics;
using Serilog;
using Result = LlamaTrainer.Collectives.Nccl.NcclNative.Result;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// One NCCL communicator on raw device memory: launches a collective on stream 0 and waits for it with a poll loop,
/// never a blocking call, so a silent or dead peer cannot hang the rank. The communicator is non-blocking, so a call
/// first reports InProgress while NCCL enqueues it; then an event recorded after it on stream 0 tells when the GPU has
/// finished. ncclCommGetAsyncError is read on every turn: an error aborts the communicator and throws
/// (<see cref="NcclTypes.Failure"/>), and so does the timeout (<see cref="CollectiveTimeoutException"/>). After either
/// the group is unusable. Not thread-safe.
/// </summary>
internal sealed class NcclGroup : IDisposable
{
    private static readonly ILogger Logger = Log.ForContext<NcclGroup>();

    // Below this a waiting rank only yields its core; past it, it sleeps a millisecond a turn.
    private static readonly TimeSpan SpinPhase = TimeSpan.FromMilliseconds(2);

    private readonly INcclApi _api;
    private readonly IReadOnlyList<int> _globalRanks;
    private readonly TimeSpan _timeout;
    private IntPtr _comm;
    private IntPtr _event;
    private string? _failure;
    private bool _disposed;

    private NcclGroup(INcclApi api, IntPtr comm, string name, IReadOnlyList<int> globalRanks, int rank, int cudaDevice, TimeSpan timeout)
    {
        _api = api;
        _comm = comm;
        _globalRanks = globalRanks;
        _timeout = timeout;
        Name = name;
        Rank = rank;
        CudaDevice = cudaDevice;
    }

    public string Name { get; }

    public int Rank { get; }

    public int Size => _globalRanks.Count;

    public int CudaDevice { get; }

    private string Self => $"{Name} (this is global rank {_globalRanks[Rank]})";

    /// <summary>
    /// Creates this member's communicator from the group's <paramref name="uniqueId"/> and waits until every member
    /// has joined, up to <paramref name="timeout"/>.
    /// </summary>
    public static NcclGroup Connect(INcclApi api, byte[] uniqueId, string name, IReadOnlyList<int> globalRanks, int rank, int cudaDevice, TimeSpan timeout)
    {
        var where = $"connecting NCCL {name} at global rank {globalRanks[rank]} (cuda:{cudaDevice})";
        var device = api.SetDevice(cudaDevice);
        if (device != CudaNative.Success)
            throw new CollectiveEngineException($"{where} failed: cudaSetDevice: {api.CudaErrorString(device)}");
        var status = api.CommInitRank(out var comm, globalRanks.Count, uniqueId, rank);
        var group = new NcclGroup(api, comm, name, globalRanks, rank, cudaDevice, timeout);
        try
        {
            if (status is not Result.Success and not Result.InProgress)
                throw group.Abort(where, status);
            group.Await(where, "a member did not arrive or could not be reached", onStream: false);
            var created = api.EventCreate(out group._event);
            if (created != CudaNative.Success)
                throw group.Abort(new CollectiveEngineException($"{where} failed: cudaEventCreate: {api.CudaErrorString(created)}"));
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    public int GlobalRank(int groupRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(groupRank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(groupRank, Size);
        return _globalRanks[groupRank];
    }

    public void AllReduce(NcclBuffer buffer, ReduceOp op) =>
        Run("all-reduce", () => _api.AllReduce(buffer.Data, buffer.Data, (nuint)buffer.Count, buffer.Type, NcclTypes.RedOp(op), _comm));

    /// <summary>NCCL's count is the output's: <paramref name="input"/> must hold Size times as many elements.</summary>
    public void ReduceScatter(NcclBuffer input, NcclBuffer output, ReduceOp op)
    {
        SameType(input, output, "reduce-scatter");
        if (input.Count != Size * output.Count)
            throw new ArgumentException($"reduce-scatter in {Name}: input has {input.Count} elements, expected {Size} x output's {output.Count}", nameof(input));
        Run("reduce-scatter", () => _api.ReduceScatter(input.Data, output.Data, (nuint)output.Count, input.Type, NcclTypes.RedOp(op), _comm));
    }

    /// <summary>NCCL's count is the input's: <paramref name="output"/> must hold Size times as many elements.</summary>
    public void AllGather(NcclBuffer input, NcclBuffer output)
    {
        SameType(input, output, "all-gather");
        if (output.Count != Size * input.Count)
            throw new ArgumentException($"all-gather in {Name}: output has {output.Count} elements, expected {Size} x input's {input.Count}", nameof(output));
        Run("all-gather", () => _api.AllGather(input.Data, output.Data, (nuint)input.Count, input.Type, _comm));
    }

    public void Broadcast(NcclBuffer buffer, int root)
    {
        if (root < 0 || root >= Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a member of {Name} (group ranks 0..{Size - 1})");
        Run("broadcast", () => _api.Broadcast(buffer.Data, buffer.Data, (nuint)buffer.Count, buffer.Type, root, _comm));
    }

    /// <summary>
    /// Launches every send and receive in one NCCL group (so neither side waits for the other first) on stream 0 and
    /// returns once NCCL has them in hand, with the operation's description for <see cref="AwaitStream"/>.
    /// </summary>
    public string Post(IReadOnlyList<(NcclBuffer Buffer, int Peer, bool Sends)> transfers)
    {
        foreach (var transfer in transfers)
            Peer(transfer.Peer);
        var operation = $"exchange ({string.Join(", ", transfers.Select(t => $"{(t.Sends ? "to" : "from")} global rank {_globalRanks[t.Peer]}"))})";
        Run(operation, () =>
        {
            var start = _api.GroupStart();
            if (start != Result.Success)
                return start;
            var launched = Result.Success;
            foreach (var (buffer, peer, sends) in transfers)
            {
                launched = sends
                    ? _api.Send(buffer.Data, (nuint)buffer.Count, buffer.Type, peer, _comm)
                    : _api.Receive(buffer.Data, (nuint)buffer.Count, buffer.Type, peer, _comm);
                if (launched is not Result.Success and not Result.InProgress)
                    break;
            }
            // The group is closed whatever happened inside it; the first failure is the one to report.
            var end = _api.GroupEnd();
            return launched is not Result.Success and not Result.InProgress ? launched : end;
        }, onStream: false);
        return operation;
    }

    /// <summary>Waits until the GPU has run everything enqueued on stream 0 so far (a posted exchange included).</summary>
    public void AwaitStream(string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
            throw new InvalidOperationException($"{Name} is unusable after an earlier failure ({_failure}); rebuild the gang's groups");
        Await($"{operation} in {Self}", "a peer is silent or never joined it", onStream: true);
    }

    /// <summary>Destroys the communicator (already gone after an abort) and the event.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_comm != IntPtr.Zero)
        {
            _api.SetDevice(CudaDevice);
            _api.CommDestroy(_comm);
            _comm = IntPtr.Zero;
        }
        if (_event != IntPtr.Zero)
        {
            _api.EventDestroy(_event);
            _event = IntPtr.Zero;
        }
    }

    // onStream: wait until the GPU has run the call too, not only until NCCL has it in hand.
    private void Run(string operation, Func<Result> launch, bool onStream = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
            throw new InvalidOperationException($"{Name} is unusable after an earlier failure ({_failure}); rebuild the gang's groups");
        var where = $"{operation} in {Self}";
        var device = _api.SetDevice(CudaDevice);
        if (device != CudaNative.Success)
            throw Abort(new CollectiveEngineException($"{where} failed: cudaSetDevice({CudaDevice}): {_api.CudaErrorString(device)}"));
        var status = launch();
        if (status is not Result.Success and not Result.InProgress)
            throw Abort(where, status);
        Await(where, "a peer is silent or never joined it", onStream);
    }

    // Polls until NCCL has the call in hand and, for a collective (onStream), the GPU has run it.
    private void Await(string where, string stalled, bool onStream)
    {
        var started = Stopwatch.GetTimestamp();
        var recorded = false;
        while (true)
        {
            var status = _api.CommGetAsyncError(_comm, out var state);
            if (status != Result.Success)
                state = status;
            if (state is not Result.InProgress)
            {
                if (state is not Result.Success)
                    throw Abort(where, state);
                if (!onStream)
                    return;
                if (!recorded)
                {
                    var record = _api.EventRecord(_event);
                    if (record != CudaNative.Success)
                        throw Abort(new CollectiveEngineException($"{where} failed: cudaEventRecord: {_api.CudaErrorString(record)}"));
                    recorded = true;
                }
                var query = _api.EventQuery(_event);
                if (query == CudaNative.Success)
                    return;
                if (query != CudaNative.NotReady)
                    throw Abort(new CollectiveEngineException($"{where} failed on the GPU: {_api.CudaErrorString(query)}"));
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= _timeout)
                throw Abort(new CollectiveTimeoutException($"{where} did not complete within {_timeout.TotalSeconds:0.###} s: {stalled}; the communicator was aborted"));
            if (elapsed < SpinPhase)
                Thread.Yield();
            else
                Thread.Sleep(1);
        }
    }

    private CollectiveException Abort(string where, Result result)
    {
        var detail = _comm == IntPtr.Zero ? "" : _api.LastError(_comm);
        var message = $"{where} failed: {NcclTypes.Meaning(result)}: {_api.ErrorString(result)}{(detail.Length > 0 ? $" ({detail})" : "")}";
        return Abort(NcclTypes.Failure(result, message));
    }

    // Aborting stops the group's kernels on the GPU, so stream 0 (and with it the rank's own work) cannot stay stuck.
    private CollectiveException Abort(CollectiveException failure)
    {
        _failure = failure.Message;
        if (_comm != IntPtr.Zero)
        {
            _api.CommAbort(_comm);
            _comm = IntPtr.Zero;
        }
        Logger.Error("NCCL {Group} failed: {Message}", Name, failure.Message);
        return failure;
    }

    private void Peer(int peer)
    {
        if (peer < 0 || peer >= Size || peer == Rank)
            throw new ArgumentOutOfRangeException(nameof(peer), peer, $"peer must be another member of {Name} (group ranks 0..{Size - 1}, this is {Rank})");
    }

    private void SameType(NcclBuffer input, NcclBuffer output, string operation)
    {
        if (input.Type != output.Type)
            throw new ArgumentException($"{operation} in {Name}: output is {output.Type}, input is {input.Type}; they must match", nameof(output));
    }
}
