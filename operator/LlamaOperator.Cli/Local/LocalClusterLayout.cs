using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;
using LlamaOperator.DevCluster;
using Serilog;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// The dev cluster a job needs on this machine, sized from the stages' plans: as many nodes as the largest stage's
/// gang has pods, each with that layout's GPUs per node (one "GPU" per trainer process, so a gang of N pods of
/// NPROC_PER_NODE processes schedules) and at least the CPU and memory one trainer pod requests (generous by
/// default: a laptop does not enforce them), the labels its pods select (nodeSelector, topology key), the
/// repository's CRDs, the job's trainer image and the `llama-train` command both mapped to the locally built
/// trainer, and the containers' logs kept in WORK/logs (readable after the run). Pure.
/// </summary>
internal static class LocalClusterLayout
{
    public const string TrainerCommand = "llama-train";

    /// <summary>The work folder's subfolder that keeps every container's log (POD_NAMESPACE_CONTAINER.log).</summary>
    public const string LogFolder = "logs";

    private const string LeastCpu = "1000";
    private const string LeastMemory = "16Ti";

    public static DevClusterOptions Options(ResolvedJob job, IReadOnlyList<string> trainer, string crdDirectory, string workDirectory, ILogger logger)
    {
        var layouts = StagePlanner.PlanAll(job).Select(p => p.Layout).ToList();
        var nodes = (int)Math.Max(1, layouts.Max(l => l.Nodes));
        var gpus = layouts.Max(l => l.GpusPerNode);
        var pod = TrainerPodTemplate.Resources(job.Cluster);
        var cpu = AtLeast(pod, "cpu", LeastCpu);
        var memory = AtLeast(pod, "memory", LeastMemory);
        var scheduling = job.Cluster.Scheduling;
        var labels = new Dictionary<string, string>(scheduling.NodeSelector, StringComparer.Ordinal);
        if (scheduling.TopologyKey is { } topologyKey && topologyKey != NodeOptions.BlockLabel)
        {
            labels[topologyKey] = "local";
        }

        return new DevClusterOptions
        {
            WorkDirectory = workDirectory,
            ContainerLogDirectory = Path.Combine(workDirectory, LogFolder),
            CrdDirectory = crdDirectory,
            Nodes = NodeOptions.Uniform(nodes, gpus, nodesPerBlock: nodes)
                .Select(n => n with { Cpu = cpu, Memory = memory, Labels = Merge(n.Labels, labels) })
                .ToList(),
            ImageMap = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [job.Cluster.Image] = trainer },
            CommandMap = TrainerCommands(trainer),
            Logger = logger,
        };
    }

    /// <summary>The rendered pods' `llama-train` command (trainer and averaging pods) run as the locally built <paramref name="trainer"/>; `llamaop dev-cluster` maps it too.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> TrainerCommands(IReadOnlyList<string> trainer) =>
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [TrainerCommand] = trainer };

    /// <summary>The larger of <paramref name="least"/> and what a trainer pod requests of the resource (requests default to limits).</summary>
    private static string AtLeast(V1ResourceRequirements pod, string resource, string least)
    {
        var wanted = pod.Requests.TryGetValue(resource, out var request) ? request : pod.Limits.TryGetValue(resource, out var limit) ? limit : null;
        return wanted is not null && wanted.ToDecimal() > new ResourceQuantity(least).ToDecimal() ? wanted.ToString() : least;
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
