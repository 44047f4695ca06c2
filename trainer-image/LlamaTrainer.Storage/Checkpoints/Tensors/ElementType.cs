namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>The element types a stored tensor may have; stored by name in tensors.json.</summary>
public enum ElementType
{
    Float32,
    BFloat16,
    Float64,
    Int64,
}

public static class ElementTypeSizes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this ElementType type) => type switch
    {
        ElementType.Float32 => 4,
        ElementType.BFloat16 => 2,
        ElementType.Float64 => 8,
        ElementType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"unknown element type; expected one of {string.Join(", ", Enum.GetNames<ElementType>())}"),
    };
}
