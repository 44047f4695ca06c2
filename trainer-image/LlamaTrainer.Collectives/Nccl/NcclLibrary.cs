using System.Runtime.InteropServices;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>The real <see cref="INcclApi"/>: libnccl.so.2 and libcudart.so.12 through P/Invoke.</summary>
internal sealed unsafe class NcclLibrary : INcclApi
{
    public static readonly NcclLibrary Instance = new();

    private NcclLibrary()
    {
    }

    public void Require(int cudaDevice)
    {
        int version;
        try
        {
            Check(NcclNative.GetVersion(out version), "ncclGetVersion");
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"the NCCL engine needs {NcclNative.Library} (NCCL 2.17 or later), which could not be loaded ({e.Message}). " +
                "Install NVIDIA's libnccl2 package from the CUDA apt repository (apt-get install libnccl2; the trainer image has it), " +
                "or train on CPU, where the trainer uses Gloo.", e);
        }
        if (version < NcclNative.ConfigVersion)
            throw new InvalidOperationException($"{NcclNative.Library} is NCCL version code {version}; the NCCL engine needs 2.17 (code {NcclNative.ConfigVersion}) or later: upgrade libnccl2");

        int count;
        int status;
        try
        {
            status = CudaNative.GetDeviceCount(out count);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"the NCCL engine needs {CudaNative.Library}, the CUDA 12 runtime, which could not be loaded ({e.Message}). " +
                "Install cuda-cudart-12-x from the CUDA apt repository or use an nvidia/cuda:12.x runtime image.", e);
        }
        if (status != CudaNative.Success)
            throw new InvalidOperationException($"no CUDA device is usable: cudaGetDeviceCount failed with {CudaErrorString(status)} (is the NVIDIA driver present and a GPU given to this container?)");
        if (cudaDevice < 0 || cudaDevice >= count)
            throw new InvalidOperationException($"CUDA device {cudaDevice} was asked for (LOCAL_RANK), but {count} {(count == 1 ? "is" : "are")} visible; run one process per GPU");
    }

    public NcclNative.Result GetUniqueId(byte[] uniqueId)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(uniqueId.Length, NcclNative.UniqueIdBytes, nameof(uniqueId));
        var status = NcclNative.GetUniqueId(out var id);
        new ReadOnlySpan<byte>(id.Internal, NcclNative.UniqueIdBytes).CopyTo(uniqueId);
        return status;
    }

    public NcclNative.Result CommInitRank(out IntPtr comm, int size, byte[] uniqueId, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(uniqueId.Length, NcclNative.UniqueIdBytes, nameof(uniqueId));
        NcclNative.UniqueId id;
        uniqueId.CopyTo(new Span<byte>(id.Internal, NcclNative.UniqueIdBytes));
        var config = NcclNative.Config.NonBlocking;
        return NcclNative.CommInitRankConfig(out comm, size, id, rank, &config);
    }

    public NcclNative.Result AllReduce(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm) =>
        NcclNative.AllReduce(send, receive, count, type, op, comm, IntPtr.Zero);

    public NcclNative.Result ReduceScatter(IntPtr send, IntPtr receive, nuint receiveCount, NcclNative.DataType type, NcclNative.RedOp op, IntPtr comm) =>
        NcclNative.ReduceScatter(send, receive, receiveCount, type, op, comm, IntPtr.Zero);

    public NcclNative.Result AllGather(IntPtr send, IntPtr receive, nuint sendCount, NcclNative.DataType type, IntPtr comm) =>
        NcclNative.AllGather(send, receive, sendCount, type, comm, IntPtr.Zero);

    public NcclNative.Result Broadcast(IntPtr send, IntPtr receive, nuint count, NcclNative.DataType type, int root, IntPtr comm) =>
        NcclNative.Broadcast(send, receive, count, type, root, comm, IntPtr.Zero);

    public NcclNative.Result Send(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm) =>
        NcclNative.Send(data, count, type, peer, comm, IntPtr.Zero);

    public NcclNative.Result Receive(IntPtr data, nuint count, NcclNative.DataType type, int peer, IntPtr comm) =>
        NcclNative.Recv(data, count, type, peer, comm, IntPtr.Zero);

    public NcclNative.Result GroupStart() => NcclNative.GroupStart();

    public NcclNative.Result GroupEnd() => NcclNative.GroupEnd();

    public NcclNative.Result CommGetAsyncError(IntPtr comm, out NcclNative.Result state) => NcclNative.CommGetAsyncError(comm, out state);

    public NcclNative.Result CommAbort(IntPtr comm) => NcclNative.CommAbort(comm);

    public NcclNative.Result CommDestroy(IntPtr comm) => NcclNative.CommDestroy(comm);

    public string ErrorString(NcclNative.Result result) => Marshal.PtrToStringUTF8(NcclNative.GetErrorString(result)) ?? result.ToString();

    public string LastError(IntPtr comm) => Marshal.PtrToStringUTF8(NcclNative.GetLastError(comm)) ?? "";

    public int SetDevice(int cudaDevice) => CudaNative.SetDevice(cudaDevice);

    public int EventCreate(out IntPtr cudaEvent) => CudaNative.EventCreateWithFlags(out cudaEvent, CudaNative.DisableTiming);

    public int EventRecord(IntPtr cudaEvent) => CudaNative.EventRecord(cudaEvent, IntPtr.Zero);

    public int EventQuery(IntPtr cudaEvent) => CudaNative.EventQuery(cudaEvent);

    public int EventDestroy(IntPtr cudaEvent) => CudaNative.EventDestroy(cudaEvent);

    public string CudaErrorString(int error) => $"CUDA error {error} ({Marshal.PtrToStringUTF8(CudaNative.GetErrorString(error))})";

    private void Check(NcclNative.Result result, string call)
    {
        if (result != NcclNative.Result.Success)
            throw new InvalidOperationException($"{call} failed: {ErrorString(result)}");
    }
}
