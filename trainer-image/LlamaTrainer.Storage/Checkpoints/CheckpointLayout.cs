namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// The parallel layout that wrote a checkpoint (degrees and world size). Informational: a format-2 checkpoint loads
/// into any layout, since readers find their slices in tensors.json.
/// </summary>
public sealed record CheckpointLayout(int Tp, int Cp, int Pp, int Dp, int WorldSize)
{
    /// <summary>Why the degrees are not a layout (each >= 1, product = world size), or null.</summary>
    internal string? FindProblem()
    {
        if (Tp < 1 || Cp < 1 || Pp < 1 || Dp < 1)
        {
            return $"layout tp={Tp} cp={Cp} pp={Pp} dp={Dp} has a degree below 1";
        }
        return (long)Tp * Cp * Pp * Dp == WorldSize ? null : $"layout tp*cp*pp*dp = {(long)Tp * Cp * Pp * Dp}, but worldSize is {WorldSize}";
    }
}
