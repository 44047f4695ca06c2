using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Rendering;

/// <summary>What the shell renders for a LongContext length and for the averaging step.</summary>
public class LengthIndexAndAveragingTests
{
    private static LlamaTrainingJob ThreeStages(GangScheduler gang)
    {
        var pretrain = TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 2, 256, 2048);
        var longContext = TestJobs.Stage("long", StageType.LongContext, 1, 2, 1, 1, 512, 2048);
        longContext.SequenceLengths = [512, 1024];
        var anneal = TestJobs.Stage("anneal", StageType.Anneal, 1, 1, 1, 2, 256, 2048);
        anneal.Averaging = new AveragingSpec { Checkpoints = 3 };
        var job = TestJobs.Job("tiny", 1, pretrain, longContext, anneal);
        job.Spec.Cluster.Scheduling = new SchedulingSpec { Gang = gang };
        return job;
    }

    [Fact]
    public void A_long_context_gang_trains_the_length_it_is_rendered_for()
    {
        var job = ThreeStages(GangScheduler.Coscheduling);
        var resolved = JobResolver.Resolve(job);

        var second = StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 1), lengthIndex: 1);
        var first = StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 1));

        Assert.All(second.Pods, p => Assert.Equal(["llama-train", "train", "--job", "/etc/llamaop/job.json", "--stage", "long", "--length-index", "1"], p.Spec.Containers[0].Command));
        Assert.All(first.Pods, p => Assert.Equal("0", p.Spec.Containers[0].Command[^1]));
    }

    [Fact]
    public void Other_stages_take_no_length_index()
    {
        var job = ThreeStages(GangScheduler.Coscheduling);
        var resolved = JobResolver.Resolve(job);

        var pretrain = StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 0), lengthIndex: 1);

        Assert.DoesNotContain("--length-index", pretrain.Pods[0].Spec.Containers[0].Command);
    }

    [Fact]
    public void The_averaging_pod_runs_alone_with_its_own_manifest_and_the_checkpoint_store()
    {
        var job = ThreeStages(GangScheduler.Coscheduling);
        var resolved = JobResolver.Resolve(job);
        string[] command = ["llama-train", "average", "--job", "/etc/llamaop/job.json", "--stage", "anneal", "--count", "3"];

        var (configMap, pod) = AveragingPodRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 2), command);

        Assert.Equal("llama-average", pod.Metadata.Name);
        Assert.Equal("llama-average-job", configMap.Metadata.Name);
        Assert.Contains("\"stages\"", configMap.Data[TrainerPodTemplate.JobConfigFile]);
        Assert.Equal(command, pod.Spec.Containers[0].Command);
        Assert.Equal("llama-average-job", pod.Spec.Volumes.Single(v => v.Name == "job-config").ConfigMap.Name);
        Assert.Equal(TrainerLabels.AveragingRole, pod.Metadata.Labels[TrainerLabels.Role]);
        Assert.Equal("llama", pod.Metadata.Labels[TrainerLabels.Job]);
        Assert.False(pod.Metadata.Labels.ContainsKey(TrainerLabels.Stage));
        Assert.False(pod.Metadata.Labels.ContainsKey(TrainerLabels.CoschedulingPodGroup)); // a gang of minMember 2 would never admit it
        Assert.Null(pod.Spec.Subdomain);
        Assert.Equal("/ckpt", pod.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_CHECKPOINT_URI").Value);
        Assert.Equal(pod.Spec.Containers[0].TerminationMessagePath, pod.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_TERMINATION_MESSAGE_PATH").Value);
        Assert.DoesNotContain(pod.Spec.Containers[0].Env, e => e.Name == "MASTER_ADDR");
        Assert.Equal(job.Metadata.Uid, Assert.Single(pod.Metadata.OwnerReferences).Uid);
    }
}
