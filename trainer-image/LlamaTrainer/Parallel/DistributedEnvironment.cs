using System.Collections;
using System.Globalization;
using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;

namespace LlamaTrainer.Parallel;

/// <summary>
/// The torchrun-style and LlamaOperator variables the operator sets in trainer pods. RANK is the global process rank.
/// Read once at start; the CLI uses them as the defaults of its flags.
/// </summary>
public sealed record DistributedEnvironment(
    string? MasterAddr,
    int? MasterPort,
    int WorldSize,
    int Rank,
    int LocalRank,
    int NodeRank,
    int Nodes,
    int ProcessesPerNode,
    int Tp,
    int Cp,
    int Pp,
    int Dp,
    string? Stage,
    string? CheckpointUri,
    bool RankGiven = false,
    string? Generation = null,
    string? PodIp = null,
    int? CollectiveTimeoutSeconds = null)
{

    /// <summary>The planner's layout of these degrees on nodes of NPROC_PER_NODE processes (one rule for planner and trainer).</summary>
    public ParallelLayout Layout => ParallelLayout.Create(new ResolvedParallelism(Tp, Cp, Pp, Dp), ProcessesPerNode, "LLAMA_TP/LLAMA_CP/LLAMA_PP/LLAMA_DP");

    /// <summary>This process's coordinates in <see cref="Layout"/>.</summary>
    public RankCoordinates Coordinates => Layout.CoordinatesOf(Rank);

    public static DistributedEnvironment FromProcess() => From(Environment.GetEnvironmentVariables());

    public static DistributedEnvironment From(IDictionary variables)
    {
        string? Text(string name) => variables[name] is string s && s.Length > 0 ? s : null;
        int Number(string name, int fallback)
        {
            var text = Text(name);
            if (text is null)
            {
                return fallback;
            }
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"environment variable {name}='{text}': expected a non-negative integer");
        }

        var env = new DistributedEnvironment(
            Text("MASTER_ADDR"),
            Text("MASTER_PORT") is null ? null : Number("MASTER_PORT", 0),
            Number("WORLD_SIZE", 1),
            Number("RANK", 0),
            Number("LOCAL_RANK", 0),
            Number("NODE_RANK", 0),
            Number("NNODES", 1),
            Number("NPROC_PER_NODE", 1),
            Number("LLAMA_TP", 1),
            Number("LLAMA_CP", 1),
            Number("LLAMA_PP", 1),
            Number("LLAMA_DP", 1),
            Text("LLAMA_STAGE"),
            Text("LLAMA_CHECKPOINT_URI"),
            RankGiven: Text("RANK") is not null,
            Generation: Text("LLAMA_GANG_GENERATION"),
            PodIp: Text("POD_IP"),
            CollectiveTimeoutSeconds: Text("LLAMA_COLLECTIVE_TIMEOUT_SECONDS") is null ? null : Number("LLAMA_COLLECTIVE_TIMEOUT_SECONDS", 0));

        var degrees = (long)env.Tp * env.Cp * env.Pp * env.Dp;
        if (degrees != env.WorldSize)
        {
            throw new ArgumentException(
                $"LLAMA_TP*LLAMA_CP*LLAMA_PP*LLAMA_DP = {degrees} but WORLD_SIZE = {env.WorldSize}");
        }
        if (env.WorldSize > 1 && !env.RankGiven && env.ProcessesPerNode == 1)
        {
            throw new ArgumentException($"WORLD_SIZE is {env.WorldSize} but neither RANK (one process per pod) nor NPROC_PER_NODE > 1 (the launcher) is set");
        }
        if (env.WorldSize > 1 && (env.MasterAddr is null || env.MasterPort is null))
        {
            throw new ArgumentException($"WORLD_SIZE is {env.WorldSize}: MASTER_ADDR and MASTER_PORT must name the rendezvous store (global rank 0)");
        }
        if (env.Rank >= env.WorldSize)
        {
            throw new ArgumentException($"RANK {env.Rank} must be below WORLD_SIZE {env.WorldSize}");
        }
        return env;
    }
}
