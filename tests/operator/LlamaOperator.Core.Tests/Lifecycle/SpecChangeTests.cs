using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class SpecChangeTests
{
    [Fact]
    public void An_invalid_edit_is_refused_with_SpecRejected_and_the_running_stage_is_untouched()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Job.Metadata.Generation = 2;
        s.Job.Spec.Stages[1].Parallelism.Tp = 0;

        var decision = s.Step();

        Assert.Empty(decision.Actions);
        Assert.Equal(JobPhase.Running, s.Status.Phase);
        var rejected = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.SpecRejected);
        Assert.Equal(("True", "InvalidSpec", 2L), (rejected.Status, rejected.Reason, rejected.ObservedGeneration!.Value));
        Assert.Contains("spec.stages[1].parallelism.tp", rejected.Message);
        Assert.Contains(decision.Events, e => e.Warning && e.Reason == "SpecRejected");
        s.AssertStable();

        s.Job.Metadata.Generation = 3;
        s.Job.Spec.Stages[1].Parallelism.Tp = 1;
        s.Step();
        Assert.Equal(("False", "SpecAccepted"), (s.Status.Conditions!.Single(c => c.Type == ConditionTypes.SpecRejected).Status, s.Status.Conditions!.Single(c => c.Type == ConditionTypes.SpecRejected).Reason));
        Assert.Equal(3, s.Status.ObservedGeneration);
    }

    [Fact]
    public void An_edit_of_the_next_stage_while_the_first_runs_applies_when_the_next_stage_starts()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Job.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 4 };
        s.Job.Spec.Stages.Insert(1, new StageSpec { Name = "pretrain-b", Type = StageType.Pretrain, Tokens = 1000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 4 } });

        var unchanged = s.Step();
        // The gang is untouched; only the running stage's ConfigMap follows the spec (its own stage pinned as started).
        var repair = Assert.IsType<RepairStageObject>(Assert.Single(unchanged.Actions));
        Assert.Contains("pretrain-b", Assert.IsType<V1ConfigMap>(repair.Object).Data[TrainerPodTemplate.JobConfigFile]);
        Assert.Equal(("pretrain", 2L), (s.Status.Stage!.Name, s.Status.Topology!.Nodes));

        s.Commit("pretrain", 0, 489, stageEnd: true);
        s.SetPods("pretrain", ObservedPodPhase.Succeeded);
        var next = s.Step();
        Assert.Equal(("pretrain-b", 4L), (s.Status.Stage!.Name, s.Status.Topology!.Nodes));
        Assert.Contains(new Gang("pretrain-b", 0, "/ckpt/tiny/step-489", 2, 4), LifecycleScenario.Summary(next));
    }

    [Fact]
    public void An_edit_of_the_running_stage_never_reaches_its_gang_even_when_it_restarts()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Job.Metadata.Generation = 2;
        s.Job.Spec.Stages[0].Parallelism = new ParallelismSpec { Dp = 4 };
        Assert.Equal(2, s.Status.Stage!.StartedWith!.Parallelism.Dp);

        Assert.Empty(s.Step().Actions);
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 1 });
        var restart = s.Step();
        s.DeletionsFinish();
        s.Now += restart.RequeueAfter!.Value;
        s.Step();
        Assert.Equal(2, s.Pods.Count(p => p.Stage == "pretrain"));
        s.SetPods("pretrain", ObservedPodPhase.Running);
        s.Step();

        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Equal((2L, 2), (s.Status.Topology!.Nodes, s.Status.Stage!.StartedWith!.Parallelism.Dp));
    }

    [Fact]
    public void Removing_the_running_stage_from_the_spec_is_refused_and_the_gang_keeps_running()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Job.Spec.Stages.RemoveAt(0);

        var decision = s.Step();

        Assert.Empty(decision.Actions);
        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Equal("RunningStageRemoved", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.SpecRejected).Reason);
    }
}
