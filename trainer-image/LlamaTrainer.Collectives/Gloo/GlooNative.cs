using System.Runtime.InteropServices;

namespace LlamaTrainer.Collectives.Gloo;

/// <summary>The C ABI of native/gloo_shim.cpp (libgloo_shim.so, built by Gloo.targets into the output folder).</summary>
internal static unsafe partial class GlooNative
{
    private const string Library = "gloo_shim";

    /// <summary>gloo_status in the shim.</summary>
    public enum Status
    {
        Ok = 0,
        PeerFailure = 1,
        Timeout = 2,
        StoreError = 3,
        Invalid = 4,
        Error = 5,
    }

    /// <summary>gloo_dtype in the shim.</summary>
    public enum DType
    {
        Float32 = 0,
        Float64 = 1,
        Int64 = 2,
        BFloat16 = 3,
    }

    /// <summary>gloo_store in the shim: the rendezvous store as callbacks, each returning 0 on success.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Store
    {
        public IntPtr User;
        public delegate* unmanaged<IntPtr, byte*, byte*, nuint, int> Set;
        public delegate* unmanaged<IntPtr, byte*, byte**, nuint*, int> Get;
        public delegate* unmanaged<IntPtr, byte**, nuint, int> Wait;
    }

    [LibraryImport(Library, EntryPoint = "gloo_last_error")]
    private static partial int LastError(byte* buffer, nuint capacity);

    [LibraryImport(Library, EntryPoint = "gloo_context_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial Status ContextCreate(Store* store, string prefix, int rank, int size, string bindAddress, long timeoutMs, out IntPtr context);

    [LibraryImport(Library, EntryPoint = "gloo_context_destroy")]
    public static partial void ContextDestroy(IntPtr context);

    // ReduceOp (Sum, Max, Min = 0, 1, 2) is passed as the shim's gloo_op.
    [LibraryImport(Library, EntryPoint = "gloo_allreduce")]
    public static partial Status AllReduce(IntPtr context, IntPtr data, nuint count, DType dtype, ReduceOp op);

    [LibraryImport(Library, EntryPoint = "gloo_reduce_scatter")]
    public static partial Status ReduceScatter(IntPtr context, IntPtr input, IntPtr output, nuint countPerRank, DType dtype, ReduceOp op);

    [LibraryImport(Library, EntryPoint = "gloo_allgather")]
    public static partial Status AllGather(IntPtr context, IntPtr input, IntPtr output, nuint countPerRank, DType dtype);

    [LibraryImport(Library, EntryPoint = "gloo_broadcast")]
    public static partial Status Broadcast(IntPtr context, IntPtr data, nuint count, DType dtype, int root);

    /// <summary>gloo_transfer in the shim.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Transfer
    {
        public IntPtr Data;
        public nuint Bytes;
        public int Peer;
        public int Sends;
    }

    [LibraryImport(Library, EntryPoint = "gloo_post")]
    public static partial Status Post(IntPtr context, Transfer* transfers, nuint count, out IntPtr pending);

    [LibraryImport(Library, EntryPoint = "gloo_wait")]
    public static partial Status Wait(IntPtr pending, nuint index);

    [LibraryImport(Library, EntryPoint = "gloo_release")]
    public static partial void Release(IntPtr pending);

    [LibraryImport(Library, EntryPoint = "gloo_barrier")]
    public static partial Status Barrier(IntPtr context);

    /// <summary>The calling thread's last shim error and the group rank of the peer it names (-1: none).</summary>
    public static (string Message, int Peer) LastError()
    {
        const int Capacity = 4096;
        var buffer = stackalloc byte[Capacity];
        var peer = LastError(buffer, Capacity);
        return (Marshal.PtrToStringUTF8((IntPtr)buffer) ?? "", peer);
    }
}
