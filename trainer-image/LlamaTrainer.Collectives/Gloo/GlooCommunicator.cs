using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Gloo;

/// <summary>
/// One Gloo process group (its own Gloo context and TCP connections) on contiguous CPU tensors. BFloat16 reductions
/// run in Float32 inside the shim (widened, reduced, rounded back once). After a <see cref="CollectiveException"/> the
/// context is dead: every further call throws InvalidOperationException, and the gang must rebuild its groups.
/// </summary>
public sealed class GlooCommunicator : ICommunicator
{
    private static readonly ILogger Logger = Log.ForContext<GlooCommunicator>();

    private readonly IReadOnlyList<int> _globalRanks;
    private readonly TimeSpan _timeout;
    private IntPtr _context;
    private string? _failure;

    internal GlooCommunicator(IntPtr context, string name, IReadOnlyList<int> globalRanks, int rank, TimeSpan timeout)
    {
        _context = context;
        _globalRanks = globalRanks;
        _timeout = timeout;
        Rank = rank;
        Name = name;
    }

    public int Rank { get; }

    public int Size => _globalRanks.Count;

    public string Name { get; }

    public Device Device => CPU;

    public int GlobalRank(int groupRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(groupRank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(groupRank, Size);
        return _globalRanks[groupRank];
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        var data = Data(tensor, nameof(tensor));
        Check(GlooNative.AllReduce(_context, data, (nuint)tensor.numel(), DType(tensor), op), "all-reduce");
    }

    public void ReduceScatter(Tensor input, Tensor output, ReduceOp op = ReduceOp.Sum)
    {
        var inputData = Data(input, nameof(input));
        var outputData = Data(output, nameof(output));
        SameType(input, output);
        if (input.numel() != Size * output.numel())
            throw new ArgumentException($"reduce-scatter in {Name}: input has {input.numel()} elements, expected {Size} x output's {output.numel()}", nameof(input));
        Check(GlooNative.ReduceScatter(_context, inputData, outputData, (nuint)output.numel(), DType(input), op), "reduce-scatter");
    }

    public void AllGather(Tensor input, Tensor output)
    {
        var inputData = Data(input, nameof(input));
        var outputData = Data(output, nameof(output));
        SameType(input, output);
        if (output.numel() != Size * input.numel())
            throw new ArgumentException($"all-gather in {Name}: output has {output.numel()} elements, expected {Size} x input's {input.numel()}", nameof(output));
        Check(GlooNative.AllGather(_context, inputData, outputData, (nuint)input.numel(), DType(input)), "all-gather");
    }

    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        var data = Data(tensor, nameof(tensor));
        Check(GlooNative.Broadcast(_context, data, (nuint)tensor.numel(), DType(tensor), root), "broadcast", root);
    }

    public unsafe IPendingTransfers Start(IReadOnlyList<Transfer> transfers)
    {
        if (transfers.Count == 0)
            return NoPendingTransfers.Instance;
        var native = new GlooNative.Transfer[transfers.Count];
        for (var i = 0; i < transfers.Count; i++)
        {
            var (tensor, peer, sends) = transfers[i];
            Peer(peer);
            native[i] = new GlooNative.Transfer { Data = Data(tensor, nameof(transfers)), Bytes = (nuint)TensorMemory.Bytes(tensor), Peer = peer, Sends = sends ? 1 : 0 };
        }

        // A lone peer is the one to name when the shim's message names none.
        var operation = transfers.Count == 1 ? (transfers[0].Sends ? "send" : "receive") : "exchange";
        var peers = transfers.Select(t => t.Peer).Distinct().ToList();
        var culprit = peers.Count == 1 ? peers[0] : -1;
        IntPtr pending;
        fixed (GlooNative.Transfer* first = native)
        {
            Check(GlooNative.Post(_context, first, (nuint)native.Length, out pending), operation, culprit);
        }

        return new Pending(this, pending, native.Length, operation, culprit);
    }

    // The shim's handle, freed once every transfer has been waited for (left to the process after a failure: Gloo may
    // still write into a receive's buffer, so it must not be freed under it).
    private sealed class Pending(GlooCommunicator group, IntPtr handle, int count, string operation, int culprit) : IPendingTransfers
    {
        private readonly bool[] _done = new bool[count];
        private int _left = count;

        public void Wait(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _done.Length);
            if (_done[index])
                throw new InvalidOperationException($"transfer {index} of this {operation} was already waited for");
            group.Usable();
            group.Check(GlooNative.Wait(handle, (nuint)index), operation, culprit);
            _done[index] = true;
            if (--_left == 0)
                GlooNative.Release(handle);
        }
    }

    public void Barrier()
    {
        Usable();
        Check(GlooNative.Barrier(_context), "barrier");
    }

    /// <summary>Closes the group's connections; members still inside a collective see a <see cref="PeerFailureException"/>.</summary>
    /// <summary>Closes the group's connections at once: a peer still inside a collective fails, so a gang barriers first.</summary>
    public void Dispose()
    {
        if (_context == IntPtr.Zero)
            return;
        GlooNative.ContextDestroy(_context);
        _context = IntPtr.Zero;
    }

    private static GlooNative.DType DType(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => GlooNative.DType.Float32,
        ScalarType.Float64 => GlooNative.DType.Float64,
        ScalarType.Int64 => GlooNative.DType.Int64,
        _ => GlooNative.DType.BFloat16,
    };

    private static void SameType(Tensor input, Tensor output)
    {
        if (input.dtype != output.dtype)
            throw new ArgumentException($"output is {output.dtype}, input is {input.dtype}; they must match", nameof(output));
    }

    private IntPtr Data(Tensor tensor, string parameter)
    {
        Usable();
        return TensorMemory.CpuData(tensor, parameter);
    }

    private void Peer(int peer)
    {
        if (peer < 0 || peer >= Size || peer == Rank)
            throw new ArgumentOutOfRangeException(nameof(peer), peer, $"peer must be another member of {Name} (group ranks 0..{Size - 1}, this is {Rank})");
    }

    private void Usable()
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        if (_failure is not null)
            throw new InvalidOperationException($"{Name} is unusable after an earlier failure ({_failure}); rebuild the gang's groups");
    }

    // peer: the group rank a point-to-point call or broadcast involves, named when the shim's message names none.
    private void Check(GlooNative.Status status, string operation, int peer = -1)
    {
        if (status == GlooNative.Status.Ok)
            return;
        var (message, named) = GlooNative.LastError();
        var culprit = named >= 0 ? named : peer;
        var who = culprit >= 0 ? $"global rank {GlobalRank(culprit)}" : "a peer";
        var where = $"{operation} in {Name} (this is global rank {GlobalRank(Rank)})";
        CollectiveException exception = status switch
        {
            GlooNative.Status.PeerFailure => new PeerFailureException($"{where} failed: {who} closed or lost its connection: {message}"),
            GlooNative.Status.Timeout => new CollectiveTimeoutException($"{where} did not complete within {_timeout.TotalSeconds:0.###} s: {who} is silent: {message}"),
            GlooNative.Status.Invalid => throw new ArgumentException($"{where}: {message}"),
            _ => new PeerFailureException($"{where} failed in Gloo: {message}"),
        };
        _failure = exception.Message;
        Logger.Error("Collective {Operation} in {Group} failed: {Message}", operation, Name, exception.Message);
        throw exception;
    }
}
