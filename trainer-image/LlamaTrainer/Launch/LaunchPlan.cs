using System.Globalization;

namespace LlamaTrainer.Launch;

/// <summary>
/// What the per-node launcher starts (torchrun's role): NPROC_PER_NODE workers with LOCAL_RANK, RANK =
/// NODE_RANK x NPROC_PER_NODE + LOCAL_RANK and, on CPU, an even share of the cores as intra-op threads unless
/// OMP_NUM_THREADS is set. A pure function, so the rank arithmetic is tested without starting processes.
/// </summary>
public static class LaunchPlan
{
    /// <param name="command">the program and the arguments that start this process again (see <see cref="SelfCommand"/>)</param>
    /// <param name="gang">variables every worker gets (a standalone run's rendezvous; empty in a pod, whose env has them)</param>
    public static IReadOnlyList<WorkerSpec> For(int nodeRank, int processesPerNode, int cores, string? ompThreads, (string FileName, IReadOnlyList<string> Arguments) command, IReadOnlyDictionary<string, string> gang)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(processesPerNode, 1);
        var threads = string.IsNullOrEmpty(ompThreads) ? Math.Max(1, cores / processesPerNode).ToString(CultureInfo.InvariantCulture) : ompThreads;
        return [.. Enumerable.Range(0, processesPerNode).Select(local =>
        {
            var rank = (nodeRank * processesPerNode) + local;
            var environment = new Dictionary<string, string>(gang, StringComparer.Ordinal)
            {
                ["RANK"] = rank.ToString(CultureInfo.InvariantCulture),
                ["LOCAL_RANK"] = local.ToString(CultureInfo.InvariantCulture),
                ["OMP_NUM_THREADS"] = threads,
            };
            return new WorkerSpec(local, rank, command.FileName, command.Arguments, environment);
        })];
    }

    /// <summary>
    /// How to start this program again (`dotnet llama-train.dll ...` or the app host) with <paramref name="arguments"/>,
    /// by default this process's own.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Arguments) SelfCommand(IReadOnlyList<string>? arguments = null)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this process's executable to start workers");
        arguments ??= [.. Environment.GetCommandLineArgs().Skip(1)];
        var host = Path.GetFileNameWithoutExtension(process);
        return host == "dotnet"
            ? (process, [typeof(LaunchPlan).Assembly.Location, .. arguments])
            : (process, arguments);
    }
}
