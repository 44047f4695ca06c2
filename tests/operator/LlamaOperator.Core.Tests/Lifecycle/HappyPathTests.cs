using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class HappyPathTests
{
    private static readonly CheckpointEvals Passing = new(2.01, 2.0, new Dictionary<int, double> { [512] = 1.0, [1024] = 1.0 });

    [Fact]
    public void A_new_job_creates_the_first_stage_and_waits_for_the_whole_gang()
    {
        var s = new LifecycleScenario();

        var first = s.Step();

        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Equal([new Gang("pretrain", 0, null, 1, 2)], LifecycleScenario.Summary(first));
        Assert.Equal("pretrain", s.Status.Stage!.Name);
        Assert.Equal(2, s.Status.Topology!.Nodes);
        Assert.Equal(LifecycleScenario.Start, s.Status.StartTime);
        s.AssertStable();

        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Running });
        s.Step();
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);

        s.SetPods("pretrain", ObservedPodPhase.Running);
        var running = s.Step();
        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Empty(running.Actions);
        Assert.Contains(running.Events, e => e.Reason == "GangRunning");
        Assert.Equal("True", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
        s.AssertStable();
    }

    [Fact]
    public void The_job_trains_through_pretrain_two_long_context_lengths_anneal_and_averaging_to_succeeded()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();

        // Pretrain ends: stage-end checkpoint and the gang exited 0 -> the long-context gang, its own layout, from that checkpoint.
        s.Now = s.Now.AddHours(1);
        var pretrainEnd = s.Commit("pretrain", 0, 489, stageEnd: true);
        s.SetPods("pretrain", ObservedPodPhase.Succeeded);
        var toLong = s.Step();
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Equal([new DeleteStageObjects("pretrain"), new Gang("long", 0, pretrainEnd.Uri, 2, 2)], LifecycleScenario.Summary(toLong));
        Assert.Equal((2, 1, 512), (s.Status.Topology!.Cp, s.Status.Topology.Dp, s.Status.Stage!.SequenceLength!.Value));
        s.DeletionsFinish();
        s.AssertStable();

        // Length 512 passes its gate -> the same stage's gang is torn down and re-created for length 1024.
        s.SetPods("long", ObservedPodPhase.Running);
        s.Step();
        s.Commit("long", 1, 538, stageEnd: true, lengthIndex: 0, evals: Passing);
        s.SetPods("long", ObservedPodPhase.Succeeded);
        var advance = s.Step();
        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal([new DeleteGang("long")], advance.Actions);
        Assert.Equal((1, 1024), (s.Status.Stage.LengthIndex!.Value, s.Status.Stage.SequenceLength!.Value));
        s.AssertStable();
        s.DeletionsFinish();
        var recreate = s.Step();
        Assert.Equal([new Gang("long", 1, "/ckpt/tiny/step-538", 3, 2)], LifecycleScenario.Summary(recreate));

        // Length 1024 passes -> anneal on one pod.
        s.SetPods("long", ObservedPodPhase.Running);
        s.Step();
        s.Commit("long", 1, 587, stageEnd: true, lengthIndex: 1, evals: Passing);
        s.SetPods("long", ObservedPodPhase.Succeeded);
        s.Step();
        s.DeletionsFinish();
        Assert.Equal(("anneal", 1L), (s.Status.Stage.Name, s.Status.Topology.Nodes));

        // Anneal ends -> one averaging pod running llama-train average -> Succeeded with the final model.
        s.SetPods("anneal", ObservedPodPhase.Running);
        s.Step();
        s.Commit("anneal", 2, 636, stageEnd: true);
        s.SetPods("anneal", ObservedPodPhase.Succeeded);
        var averaging = s.Step();
        s.DeletionsFinish();
        Assert.Equal(JobPhase.Averaging, s.Status.Phase);
        Assert.Equal(["llama-train", "average", "--job", "/etc/llamaop/job.json", "--stage", "anneal", "--count", "2"], averaging.Actions.OfType<CreateAveragingPod>().Single().Objects.Pod.Spec.Containers[0].Command);
        s.AssertStable();

        s.AveragingPod = s.AveragingPod! with { Phase = ObservedPodPhase.Succeeded };
        s.FinalModel = "/ckpt/tiny/final";
        s.Now = s.Now.AddMinutes(5);
        var done = s.Step();
        Assert.Equal(JobPhase.Succeeded, s.Status.Phase);
        Assert.Equal("/ckpt/tiny/final", s.Status.FinalModel);
        Assert.Equal(s.Now, s.Status.CompletionTime);
        Assert.Equal("True", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Complete).Status);
        Assert.Equal("False", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Progressing).Status);
        Assert.Contains(done.Events, e => e.Reason == "JobSucceeded" && e.Message.Contains("/ckpt/tiny/final"));
        s.AssertStable();
    }

    [Fact]
    public void An_operator_that_crashed_after_a_stage_transition_but_before_its_status_write_converges_without_duplicates()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 489, stageEnd: true);
        s.SetPods("pretrain", ObservedPodPhase.Succeeded);
        var stored = s.Job.Status;

        s.Step(); // the writes reach the API server, the status write does not
        s.Job.Status = stored;
        var again = s.Decide();

        Assert.Empty(again.Actions);
        Assert.Equal((JobPhase.Scheduling, "long"), (s.Status.Phase!.Value, s.Status.Stage!.Name));
        Assert.Equal(2, s.Pods.Count(p => p.Stage == "long"));
    }

    [Fact]
    public void A_failed_averaging_pod_fails_the_job_with_its_exit_code()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.Stages.RemoveRange(0, 2);
        s.Job.Spec.Stages[0].Parallelism.Dp = 2;
        s.Step();
        s.SetPods("anneal", ObservedPodPhase.Running);
        s.Step();
        s.Commit("anneal", 0, 49, stageEnd: true);
        s.SetPods("anneal", ObservedPodPhase.Succeeded);
        s.Step();
        s.AveragingPod = s.AveragingPod! with { Phase = ObservedPodPhase.Failed, ExitCode = 1, TerminationReason = "Error" };

        s.Step();

        Assert.Equal(JobPhase.Failed, s.Status.Phase);
        var failed = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(("AveragingFailed", "the averaging pod tiny-average exited with code 1 (Error)"), (failed.Reason, failed.Message));
    }

    [Fact]
    public void A_stage_end_checkpoint_alone_does_not_finish_the_stage_while_the_gang_still_runs()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 489, stageEnd: true);

        var decision = s.Decide();

        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Empty(decision.Actions);
        Assert.Equal("/ckpt/tiny/step-489", s.Status.LatestCheckpoint!.Uri);
        Assert.Equal(489, s.Status.Progress!.Step);
    }

    [Fact]
    public void A_no_op_observation_gives_the_identical_status_and_no_writes_and_keeps_transition_times()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 40);
        s.Step();
        var ready = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime;

        s.Now = s.Now.AddSeconds(30);
        s.AssertStable();

        Assert.Equal(ready, s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).LastTransitionTime);
        Assert.Equal(LifecycleScenario.Start, ready);
    }

    [Fact]
    public void A_status_without_its_stage_starts_over_from_the_first_stage()
    {
        var s = new LifecycleScenario();
        s.Job.Status = new LlamaTrainingJobStatus { Phase = JobPhase.Running };

        var decision = s.Step();

        Assert.Equal([new Gang("pretrain", 0, null, 1, 2)], LifecycleScenario.Summary(decision));
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
    }

    [Fact]
    public void A_job_being_deleted_gets_no_actions_and_an_unchanged_status()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Job.Metadata.DeletionTimestamp = s.Now;
        s.Pods[0] = s.Pods[0] with { Phase = ObservedPodPhase.Failed, ExitCode = 1 };

        var decision = s.Decide();

        Assert.Empty(decision.Actions);
        Assert.Equal(JobPhase.Running, decision.Status.Phase);
    }
}
