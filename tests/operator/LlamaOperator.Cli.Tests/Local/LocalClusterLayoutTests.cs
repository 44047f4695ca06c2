using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Cli.Local;
using LlamaOperator.DevCluster;

namespace LlamaOperator.Cli.Tests.Local;

public class LocalClusterLayoutTests
{
    private static readonly IReadOnlyList<string> Trainer = ["dotnet", "/repo/llama-train.dll"];

    [Fact]
    public void Tiny_job_gets_one_node_with_its_gpus_and_its_image_and_command_mapped_to_the_built_trainer()
    {
        var job = JobResolver.Resolve(ManifestReader.ReadFile(CliRun.Example("tiny-local.yaml")));

        var options = LocalClusterLayout.Options(job, Trainer, "/repo/crds", "/work", Serilog.Core.Logger.None);

        var node = Assert.Single(options.Nodes);
        Assert.Equal(1, node.Gpus);
        Assert.Equal(Trainer, options.ImageMap["llama-trainer:dev"]);
        Assert.Equal(Trainer, options.CommandMap[LocalClusterLayout.TrainerCommand]);
        Assert.Equal(("/repo/crds", "/work"), (options.CrdDirectory, options.WorkDirectory));
    }

    [Fact]
    public void Nodes_cover_the_largest_stage_and_carry_the_labels_its_pods_select()
    {
        var manifest = ManifestReader.ReadFile(CliRun.Example("llama3-8b.yaml"));
        manifest.Spec.Cluster.Scheduling ??= new();
        manifest.Spec.Cluster.Scheduling.NodeSelector = new Dictionary<string, string> { ["pool"] = "h100" };
        manifest.Spec.Cluster.Scheduling.TopologyKey = "topology.kubernetes.io/zone";
        var job = JobResolver.Resolve(manifest);

        var options = LocalClusterLayout.Options(job, Trainer, "/repo/crds", "/work", Serilog.Core.Logger.None);

        Assert.Equal(job.Stages.Max(s => s.Nodes), options.Nodes.Count);
        Assert.All(options.Nodes, n =>
        {
            Assert.Equal(job.Cluster.GpusPerNode, n.Gpus);
            Assert.Equal("h100", n.Labels["pool"]);
            Assert.Equal("local", n.Labels["topology.kubernetes.io/zone"]);
            Assert.True(n.Labels.ContainsKey(NodeOptions.BlockLabel));
        });
    }
}
