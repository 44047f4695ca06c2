using System.Runtime.InteropServices;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// The few CUDA runtime calls the NCCL engine needs: picking the device and an event on stream 0 to poll for a
/// collective's completion. libcudart.so.12 is the CUDA 12 runtime of the CUDA image (nvidia/cuda:12.x-runtime puts it
/// on the loader path); libtorch's own copy carries a hashed name that is not meant to be loaded by others. Both
/// runtimes drive the same primary context of the device, whose stream 0 is the one TorchSharp's kernels run on.
/// </summary>
internal static partial class CudaNative
{
    public const string Library = "libcudart.so.12";

    public const int Success = 0;

    /// <summary>cudaErrorNotReady: the event's work has not completed yet.</summary>
    public const int NotReady = 600;

    /// <summary>cudaEventDisableTiming: the cheapest event, for completion only.</summary>
    public const uint DisableTiming = 0x02;

    [LibraryImport(Library, EntryPoint = "cudaGetDeviceCount")]
    public static partial int GetDeviceCount(out int count);

    [LibraryImport(Library, EntryPoint = "cudaSetDevice")]
    public static partial int SetDevice(int device);

    [LibraryImport(Library, EntryPoint = "cudaEventCreateWithFlags")]
    public static partial int EventCreateWithFlags(out IntPtr cudaEvent, uint flags);

    [LibraryImport(Library, EntryPoint = "cudaEventRecord")]
    public static partial int EventRecord(IntPtr cudaEvent, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "cudaEventQuery")]
    public static partial int EventQuery(IntPtr cudaEvent);

    [LibraryImport(Library, EntryPoint = "cudaEventDestroy")]
    public static partial int EventDestroy(IntPtr cudaEvent);

    [LibraryImport(Library, EntryPoint = "cudaGetErrorString")]
    public static partial IntPtr GetErrorString(int error);
}
