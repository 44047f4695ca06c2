namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// The native calls of the NCCL engine (libnccl and the CUDA runtime), behind an interface so that the rendezvous,
/// launch, poll and abort logic runs in tests against a fake. Calls return the libraries' own codes; every collective
/// runs on stream 0.
/// </summary>
internal interface INcclApi
{
    /// <summary>
    /// Loads both libraries and checks that <paramref name="cudaDevice"/> exists; throws DllNotFoundException or
    /// InvalidOperationException saying what is missing and what to install.
    /// </summary>
    void Require(int cudaDevice);

    /// <summary>Fills <paramref name="uniqueId"/> (128 bytes) with a new communicator id.</summary>
    NcclNative.Result GetUniqueId(byte[] uniqueId);

    /// <summary>Starts a non-blocking communicator init; it is done when <see cref="CommGetAsyncError"/> leaves InProgress.</summary>
    NcclNative.Result CommInitRank(out IntPtr comm, int size, byte[] uniqueId, int rank);

    NcclNative.Result AllReduce(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm);

    NcclNative.Result ReduceScatter(IntPtr send, IntPtr receive, nuint receiveCount, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm);

    NcclNative.Result AllGather(IntPtr send, IntPtr receive, nuint sendCount, NcclNative.DataType type, IntPtr comm);

    NcclNative.Result Broadcast(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, int root, IntPtr comm);

    NcclNative.Result Send(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm);

    NcclNative.Result Receive(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm);

    /// <summary>Opens a group: the sends and receives until <see cref="GroupEnd"/> are launched together.</summary>
    NcclNative.Result GroupStart();

    NcclNative.Result GroupEnd();

    NcclNative.Result CommGetAsyncError(IntPtr comm, out NcclNative.Result state);

    NcclNative.Result CommAbort(IntPtr comm);

    NcclNative.Result CommDestroy(IntPtr comm);

    string ErrorString(NcclNative.Result result);

    /// <summary>NCCL's message for the last error on <paramref name="comm"/> (or of the calling thread when zero).</summary>
    string LastError(IntPtr comm);

    int SetDevice(int cudaDevice);

    int EventCreate(out IntPtr cudaEvent);

    /// <summary>Records <paramref name="cudaEvent"/> on stream 0, after the collective just enqueued there.</summary>
    int EventRecord(IntPtr cudaEvent);

    /// <summary>0 when the recorded work has completed, 600 (cudaErrorNotReady) while it runs, else a CUDA error.</summary>
    int EventQuery(IntPtr cudaEvent);

    int EventDestroy(IntPtr cudaEvent);

    string CudaErrorString(int error);
}
