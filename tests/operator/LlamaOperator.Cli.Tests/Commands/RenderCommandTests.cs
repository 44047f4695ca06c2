using k8s;
using k8s.Models;

namespace LlamaOperator.Cli.Tests.Commands;

public class RenderCommandTests
{
    private static readonly Dictionary<string, Type> Kinds = new()
    {
        ["v1/Pod"] = typeof(V1Pod),
        ["v1/Service"] = typeof(V1Service),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["scheduling.x-k8s.io/v1alpha1/PodGroup"] = typeof(Core.Rendering.PodGroup),
    };

    [Fact]
    public void Tiny_local_stage_renders_a_config_map_service_and_a_pod_per_node_without_pod_group()
    {
        var run = CliRun.Invoke("render", CliRun.Example("tiny-local.yaml"), "--stage", "long-context");

        Assert.True(run.Exit == 0, run.Error);
        var objects = KubernetesYaml.LoadAllFromString(run.Output, Kinds);
        Assert.Equal(["ConfigMap", "Service", "Pod", "Pod"], objects.Select(o => ((IKubernetesObject)o).Kind));
        var pods = objects.OfType<V1Pod>().ToList();
        Assert.Equal(["tiny-local-long-context-0", "tiny-local-long-context-1"], pods.Select(p => p.Metadata.Name));
        // Two processes a pod (CP2 x TP2): the pod's launcher starts them, ranks 2 x NODE_RANK + LOCAL_RANK.
        Assert.Equal(["0", "1"], pods.Select(p => p.Spec.Containers[0].Env.Single(e => e.Name == "NODE_RANK").Value));
        Assert.All(pods, p => Assert.Equal("2", p.Spec.Containers[0].Env.Single(e => e.Name == "NPROC_PER_NODE").Value));
        Assert.All(pods, p => Assert.Equal(("2", "2"), (p.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_TP").Value, p.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_CP").Value)));
    }

    [Fact]
    public void Llama3_8b_pretrain_renders_a_gang_of_8_pods()
    {
        var run = CliRun.Invoke("render", CliRun.Example("llama3-8b.yaml"), "--stage", "pretrain");

        Assert.Equal(0, run.Exit);
        var objects = KubernetesYaml.LoadAllFromString(run.Output, Kinds);
        var group = Assert.IsType<Core.Rendering.PodGroup>(objects[0]);
        Assert.Equal(8, group.Spec.MinMember);
        Assert.Equal(8, objects.OfType<V1Pod>().Count());
    }

    [Fact]
    public void Output_dir_gets_one_file_per_stage()
    {
        var folder = Directory.CreateTempSubdirectory("llamaop-render-").FullName;
        var run = CliRun.Invoke("render", CliRun.Example("llama3-8b.yaml"), "--stage", "anneal", "--output-dir", folder);

        Assert.Equal(0, run.Exit);
        var file = Path.Combine(folder, "llama3-8b-anneal.yaml");
        Assert.Contains(file, run.Output);
        Assert.Equal(8, KubernetesYaml.LoadAllFromString(File.ReadAllText(file), Kinds).OfType<V1Pod>().Count());
    }

    [Fact]
    public void Unknown_stage_lists_the_stages_and_exits_1()
    {
        var run = CliRun.Invoke("render", CliRun.Example("tiny-local.yaml"), "--stage", "finetune");
        Assert.Equal(1, run.Exit);
        Assert.Contains("no stage named 'finetune'; the job has: pretrain, long-context, anneal", run.Error);
    }

    [Fact]
    public void Stage_is_required()
    {
        var run = CliRun.Invoke("render", CliRun.Example("tiny-local.yaml"));
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("--stage", run.Error);
    }
}
