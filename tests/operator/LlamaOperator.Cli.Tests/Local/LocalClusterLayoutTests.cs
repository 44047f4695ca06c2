using k8s;
using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;
using LlamaOperator.DevCluster;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests.Local;

public class LocalClusterLayoutTests
{
    private static readonly IReadOnlyList<string> Trainer = ["dotnet", "/repo/llama-train.dll"];

    [Fact]
    public void Tiny_job_gets_a_node_per_rank_of_its_largest_stage_and_its_image_and_command_mapped_to_the_built_trainer()
    {
        var job = JobResolver.Resolve(ManifestReader.ReadFile(CliRun.Example("tiny-local.yaml")));

        var options = LocalClusterLayout.Options(job, Trainer, "/repo/crds", "/work", Serilog.Core.Logger.None);

        // Every stage runs 4 ranks, 2 pods of 2 processes (2 "GPUs") each.
        Assert.Equal(2, options.Nodes.Count);
        Assert.All(options.Nodes, node => Assert.Equal(2, node.Gpus));
        Assert.Equal(Trainer, options.ImageMap["llama-trainer:dev"]);
        Assert.Equal(Trainer, options.CommandMap[LocalClusterLayout.TrainerCommand]);
        Assert.Equal(("/repo/crds", "/work"), (options.CrdDirectory, options.WorkDirectory));
        Assert.Equal("/work/logs", options.ContainerLogDirectory); // the trainers' logs outlive the run's cluster
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

    /// <summary>The tiny recipe with two trainer processes per pod: pretrain on 2 pods (dp 4), long-context and anneal on 1.</summary>
    private static (LlamaTrainingJob Job, ResolvedJob Resolved) MultiProcessTiny()
    {
        var manifest = ManifestReader.ReadFile(CliRun.Example("tiny-local.yaml"));
        manifest.Spec.Cluster.GpusPerNode = 2;
        manifest.Spec.Cluster.Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2000"), ["memory"] = new("20Ti") } };
        manifest.Spec.Stages[0].Parallelism = new ParallelismSpec { Dp = 4 };
        manifest.Spec.Stages[0].MicroBatchSize = 2; // 8 sequences over 4 ranks
        manifest.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 2 };
        manifest.Spec.Stages[2].Parallelism = new ParallelismSpec { Dp = 2 };
        return (manifest, JobResolver.Resolve(manifest));
    }

    [Fact]
    public void Nodes_are_sized_from_the_largest_stage_plan_and_hold_what_a_trainer_pod_requests()
    {
        var (_, job) = MultiProcessTiny();

        var options = LocalClusterLayout.Options(job, Trainer, "/repo/crds", "/work", Serilog.Core.Logger.None);

        Assert.Equal(2, options.Nodes.Count);
        Assert.All(options.Nodes, n =>
        {
            Assert.Equal(2, n.Gpus);
            Assert.Equal(2000m, new ResourceQuantity(n.Cpu).ToDecimal());
            Assert.Equal(new ResourceQuantity("20Ti").ToDecimal(), new ResourceQuantity(n.Memory).ToDecimal());
        });
    }

    [Fact]
    public async Task The_largest_gang_of_a_multi_process_job_schedules_on_the_local_nodes()
    {
        var (manifest, job) = MultiProcessTiny();
        using var work = new TempFolder();
        var options = LocalClusterLayout.Options(job, Trainer, "/repo/crds", work.Path, Serilog.Core.Logger.None) with { CrdDirectory = null, EnableKubelet = false };
        await using var cluster = await DevCluster.DevCluster.StartAsync(options);
        using var client = cluster.CreateClient();
        var stage = StageRenderer.Render(manifest, job, StagePlanner.Plan(job, "pretrain"));

        foreach (var pod in stage.Pods)
        {
            await client.CoreV1.CreateNamespacedPodAsync(pod, job.Namespace);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        IList<V1Pod> pods;
        while ((pods = (await client.CoreV1.ListNamespacedPodAsync(job.Namespace)).Items).Any(p => string.IsNullOrEmpty(p.Spec.NodeName)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, pods.Count);
        Assert.Equal(["node-0", "node-1"], pods.Select(p => p.Spec.NodeName).Order(StringComparer.Ordinal));
        Assert.All(pods, p => Assert.Equal("2", p.Spec.Containers[0].Env.Single(e => e.Name == "NPROC_PER_NODE").Value));
    }

    [Fact]
    public async Task A_rendered_gangs_master_addr_is_pod_zeros_address_on_the_local_cluster()
    {
        var (manifest, job) = MultiProcessTiny();
        using var work = new TempFolder();
        // The "trainer" prints where it would rendezvous and its own address.
        IReadOnlyList<string> echo = ["sh", "-c", "echo \"$MASTER_ADDR:$MASTER_PORT $POD_IP\"", "llama-train"];
        var options = LocalClusterLayout.Options(job, echo, "/repo/crds", work.Path, Serilog.Core.Logger.None) with { CrdDirectory = null };
        await using var cluster = await DevCluster.DevCluster.StartAsync(options);
        using var client = cluster.CreateClient();
        var stage = StageRenderer.Render(manifest, job, StagePlanner.Plan(job, "pretrain"));
        await client.CoreV1.CreateNamespacedServiceAsync(stage.Service, job.Namespace);
        await client.CoreV1.CreateNamespacedConfigMapAsync(stage.ConfigMap, job.Namespace);
        foreach (var pod in stage.Pods)
        {
            await client.CoreV1.CreateNamespacedPodAsync(pod, job.Namespace);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        IList<V1Pod> pods;
        while ((pods = (await client.CoreV1.ListNamespacedPodAsync(job.Namespace)).Items).Any(p => p.Status.Phase != "Succeeded") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var master = pods.Single(p => p.Metadata.Name == stage.Pods[0].Metadata.Name).Status.PodIP;
        foreach (var pod in pods)
        {
            using var log = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, job.Namespace);
            Assert.Equal($"{master}:{job.Cluster.MasterPort} {pod.Status.PodIP}", (await new StreamReader(log).ReadToEndAsync()).Trim());
            Assert.Contains($"{master}:{job.Cluster.MasterPort} {pod.Status.PodIP}", await File.ReadAllTextAsync(Path.Combine(work.Path, "logs", $"{pod.Metadata.Name}_{job.Namespace}_trainer.log")));
        }
        Assert.NotEqual(pods[0].Status.PodIP, pods[1].Status.PodIP);
    }
}
