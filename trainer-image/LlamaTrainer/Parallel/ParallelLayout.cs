namespace LlamaTrainer.Parallel;

/// <summary>
/// The 4D layout of a process: degrees and this process's global rank. Ranks are laid out [TP, CP, PP, DP] with
/// TP innermost: rank = tp + TP*(cp + CP*(pp + PP*dp)).
/// </summary>
public sealed record ParallelLayout(int Tp, int Cp, int Pp, int Dp, int Rank)
{
    public static readonly ParallelLayout SingleProcess = new(1, 1, 1, 1, 0);

    public int WorldSize => Tp * Cp * Pp * Dp;

    public (int Tp, int Cp, int Pp, int Dp) Coordinates =>
        (Rank % Tp, Rank / Tp % Cp, Rank / (Tp * Cp) % Pp, Rank / (Tp * Cp * Pp));
}
