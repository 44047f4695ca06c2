namespace LlamaTrainer.Collectives.Nccl;

/// <summary>Device memory for one collective: the address of the first element, the element count and NCCL's type.</summary>
internal readonly record struct NcclBuffer(IntPtr Data, long Count, NcclNative.DataType Type);
