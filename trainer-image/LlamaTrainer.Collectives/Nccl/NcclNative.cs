using System.Runtime.InteropServices;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// The part of libnccl.so.2's C API (nccl.h) the engine calls. Every collective runs on stream 0, the legacy default
/// stream that TorchSharp's kernels use too (TorchSharp has no stream API), so it is ordered after the kernels that
/// produced its input and before those that read its output.
/// </summary>
internal static unsafe partial class NcclNative
{
    public const string Library = "libnccl.so.2";

    public const int UniqueIdBytes = 128;

    /// <summary>NCCL_VERSION(2, 17, 0): the layout of <see cref="Config"/> this engine fills in.</summary>
    public const int ConfigVersion = 21700;

    private const uint ApiMagic = 0xcafebeef;
    private const int Undefined = int.MinValue;

    /// <summary>ncclResult_t.</summary>
    public enum Result
    {
        Success = 0,
        UnhandledCudaError = 1,
        SystemError = 2,
        InternalError = 3,
        InvalidArgument = 4,
        InvalidUsage = 5,
        RemoteError = 6,
        InProgress = 7,
        Timeout = 8,
    }

    /// <summary>ncclDataType_t, for the element types the collectives take.</summary>
    public enum DataType
    {
        Int64 = 4,
        Float32 = 7,
        Float64 = 8,
        BFloat16 = 9,
    }

    /// <summary>ncclRedOp_t's built-in reductions (Prod has no <see cref="ReduceOp"/>).</summary>
    public enum RedOp
    {
        Sum = 0,
        Prod = 1,
        Max = 2,
        Min = 3,
    }

    /// <summary>ncclUniqueId: opaque bytes that group rank 0 makes and every member passes to ncclCommInitRankConfig.</summary>
    [StructLayout(LayoutKind.Sequential, Size = UniqueIdBytes)]
    public struct UniqueId
    {
        public fixed byte Internal[UniqueIdBytes];
    }

    /// <summary>
    /// ncclConfig_t as of NCCL 2.17. NCCL copies the first <c>Size</c> bytes and takes its own defaults for the fields of
    /// later versions, so this layout works with every NCCL from 2.17 on.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Config
    {
        public nuint Size;
        public uint Magic;
        public uint Version;
        public int Blocking;
        public int CgaClusterSize;
        public int MinCtas;
        public int MaxCtas;
        public IntPtr NetName;
        public int SplitShare;

        /// <summary>NCCL_CONFIG_INITIALIZER with blocking = 0: init and collectives return at once and progress in the background.</summary>
        public static Config NonBlocking => new()
        {
            Size = (nuint)sizeof(Config),
            Magic = ApiMagic,
            Version = ConfigVersion,
            Blocking = 0,
            CgaClusterSize = Undefined,
            MinCtas = Undefined,
            MaxCtas = Undefined,
            NetName = IntPtr.Zero,
            SplitShare = Undefined,
        };
    }

    [LibraryImport(Library, EntryPoint = "ncclGetVersion")]
    public static partial Result GetVersion(out int version);

    [LibraryImport(Library, EntryPoint = "ncclGetUniqueId")]
    public static partial Result GetUniqueId(out UniqueId uniqueId);

    [LibraryImport(Library, EntryPoint = "ncclCommInitRankConfig")]
    public static partial Result CommInitRankConfig(out IntPtr comm, int nranks, UniqueId commId, int rank, Config* config);

    [LibraryImport(Library, EntryPoint = "ncclAllReduce")]
    public static partial Result AllReduce(IntPtr sendbuff, IntPtr recvbuff, nuint count, DataType datatype, RedOp op, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclReduceScatter")]
    public static partial Result ReduceScatter(IntPtr sendbuff, IntPtr recvbuff, nuint recvcount, DataType datatype, RedOp op, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclAllGather")]
    public static partial Result AllGather(IntPtr sendbuff, IntPtr recvbuff, nuint sendcount, DataType datatype, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclBroadcast")]
    public static partial Result Broadcast(IntPtr sendbuff, IntPtr recvbuff, nuint count, DataType datatype, int root, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclSend")]
    public static partial Result Send(IntPtr sendbuff, nuint count, DataType datatype, int peer, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclRecv")]
    public static partial Result Recv(IntPtr recvbuff, nuint count, DataType datatype, int peer, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclGroupStart")]
    public static partial Result GroupStart();

    [LibraryImport(Library, EntryPoint = "ncclGroupEnd")]
    public static partial Result GroupEnd();

    [LibraryImport(Library, EntryPoint = "ncclCommGetAsyncError")]
    public static partial Result CommGetAsyncError(IntPtr comm, out Result asyncError);

    [LibraryImport(Library, EntryPoint = "ncclCommAbort")]
    public static partial Result CommAbort(IntPtr comm);

    [LibraryImport(Library, EntryPoint = "ncclCommDestroy")]
    public static partial Result CommDestroy(IntPtr comm);

    [LibraryImport(Library, EntryPoint = "ncclGetErrorString")]
    public static partial IntPtr GetErrorString(Result result);

    [LibraryImport(Library, EntryPoint = "ncclGetLastError")]
    public static partial IntPtr GetLastError(IntPtr comm);
}
