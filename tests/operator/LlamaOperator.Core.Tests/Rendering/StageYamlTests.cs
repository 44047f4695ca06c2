using k8s;
using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Rendering;

public class StageYamlTests
{
    private static string Yaml(LlamaTrainingJob job)
    {
        var resolved = JobResolver.Resolve(job);
        return StageYaml.Serialize(StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 0)));
    }

    private static LlamaTrainingJob Job() =>
        TestJobs.Job("llama3-8b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 8, 1, 2, 2, 8192, 4 * 8192));

    [Fact]
    public void Yaml_is_one_document_per_object_in_apply_order_and_reads_back()
    {
        var yaml = Yaml(Job());
        var types = new Dictionary<string, Type>
        {
            ["v1/Pod"] = typeof(V1Pod),
            ["v1/Service"] = typeof(V1Service),
            ["v1/ConfigMap"] = typeof(V1ConfigMap),
            ["scheduling.x-k8s.io/v1alpha1/PodGroup"] = typeof(PodGroup),
        };

        var objects = KubernetesYaml.LoadAllFromString(yaml, types);

        Assert.Equal(["PodGroup", "ConfigMap", "Service", "Pod", "Pod", "Pod", "Pod"], objects.Select(o => ((IKubernetesObject)o).Kind));
        var pod = (V1Pod)objects[^1];
        Assert.Equal("llama-pretrain-3", pod.Metadata.Name);
        Assert.Contains(pod.Spec.Containers[0].Env, e => e.Name == "NODE_RANK" && e.Value == "3");
        var group = (PodGroup)objects[0];
        Assert.Equal(4, group.Spec.MinMember);
        Assert.Null(group.Spec.Queue);
        Assert.DoesNotContain("queue:", yaml.Split("---")[1]);
    }

    [Fact]
    public void Rendering_twice_gives_the_same_yaml()
    {
        Assert.Equal(Yaml(Job()), Yaml(Job()));
    }
}
