using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>Raw access to a tensor's memory for the engines, after checking that they can use it as it is.</summary>
internal static partial class TensorMemory
{
    // TorchSharp has no public data_ptr(); this is the one its own code uses. It includes the view's storage offset.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);

    /// <summary>The address of a contiguous CPU tensor's first element; a clear ArgumentException otherwise.</summary>
    public static IntPtr CpuData(Tensor tensor, string parameter)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameter);
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"{parameter} is on {tensor.device}; Gloo works on CPU tensors", parameter);
        if (!tensor.is_contiguous())
            throw new ArgumentException($"{parameter} (shape [{string.Join(", ", tensor.shape)}]) is not contiguous; pass tensor.contiguous()", parameter);
        ElementType(tensor, parameter);
        return Address(tensor);
    }

    /// <summary>The address of the first element, on whichever device the tensor lives (zero for an empty tensor); unchecked.</summary>
    public static IntPtr Address(Tensor tensor) => tensor.numel() == 0 ? IntPtr.Zero : THSTensor_data(tensor.Handle);

    /// <summary>The collectives' element types; a clear ArgumentException for any other.</summary>
    public static ScalarType ElementType(Tensor tensor, string parameter) => tensor.dtype switch
    {
        ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64 or ScalarType.BFloat16 => tensor.dtype,
        _ => throw new ArgumentException($"{parameter} is {tensor.dtype}; collectives take Float32, Float64, Int64 or BFloat16", parameter),
    };

    public static long Bytes(Tensor tensor) => tensor.numel() * tensor.ElementSize;
}
