using LlamaOperator.Api.Resolution;
using LlamaOperator.DevCluster;
using Serilog;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// The dev cluster a job needs on this machine: as many nodes as its largest stage, each with the job's GPUs per
/// node and the labels its pods select (nodeSelector, topology key), generous CPU and memory (a laptop does not
/// enforce them), the repository's CRDs, and the job's trainer image and the `llama-train` command both mapped to
/// the locally built trainer. Pure.
/// </summary>
internal static class LocalClusterLayout
{
    public const string TrainerCommand = "llama-train";

    public static DevClusterOptions Options(ResolvedJob job, IReadOnlyList<string> trainer, string crdDirectory, string workDirectory, ILogger logger)
    {
        var nodes = Math.Max(1, job.Stages.Max(s => s.Nodes));
        var scheduling = job.Cluster.Scheduling;
        var labels = new Dictionary<string, string>(scheduling.NodeSelector, StringComparer.Ordinal);
        if (scheduling.TopologyKey is { } topologyKey && topologyKey != NodeOptions.BlockLabel)
        {
            labels[topologyKey] = "local";
        }

        return new DevClusterOptions
        {
            WorkDirectory = workDirectory,
            CrdDirectory = crdDirectory,
            Nodes = NodeOptions.Uniform(nodes, job.Cluster.GpusPerNode, nodesPerBlock: nodes)
                .Select(n => n with { Cpu = "1000", Memory = "16Ti", Labels = Merge(n.Labels, labels) })
                .ToList(),
            ImageMap = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [job.Cluster.Image] = trainer },
            CommandMap = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [TrainerCommand] = trainer },
            Logger = logger,
        };
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> node, IReadOnlyDictionary<string, string> job)
    {
        var labels = new Dictionary<string, string>(node, StringComparer.Ordinal);
        foreach (var (key, value) in job)
        {
            labels[key] = value;
        }

        return labels;
    }
}
