using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>suspend, activeDeadlineSeconds and ttlSecondsAfterFinished, as in batch/v1 Jobs.</summary>
public class JobControlTests
{
    [Fact]
    public void Suspending_deletes_the_gang_and_resuming_recreates_it_from_the_latest_checkpoint()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 40);
        s.Job.Spec.Suspend = true;

        var suspend = s.Step();
        Assert.Equal(JobPhase.Suspended, s.Status.Phase);
        Assert.Equal([new DeleteGang("pretrain")], suspend.Actions);
        Assert.Equal("True", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Suspended).Status);
        Assert.Equal("False", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Progressing).Status);
        s.DeletionsFinish();
        s.AssertStable();

        s.Now = s.Now.AddHours(2);
        s.Job.Spec.Suspend = false;
        var resume = s.Step();
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        var actions = LifecycleScenario.Summary(resume);
        Assert.Equal(2, actions.Count);
        // The stage's ConfigMap follows the spec (spec.suspend is part of it) before the new gang reads it.
        Assert.IsType<V1ConfigMap>(Assert.IsType<RepairStageObject>(actions[0]).Object);
        Assert.Equal(new Gang("pretrain", 0, "/ckpt/tiny/step-40", 2, 2), actions[1]);
        Assert.Equal(s.Now, s.Status.StartTime);
        Assert.Equal("False", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Suspended).Status);
    }

    [Fact]
    public void A_job_created_suspended_creates_nothing_until_resumed()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.Suspend = true;

        var decision = s.Step();

        Assert.Equal(JobPhase.Suspended, s.Status.Phase);
        Assert.Empty(decision.Actions);
        s.Job.Spec.Suspend = false;
        var start = s.Step();
        Assert.Equal([new Gang("pretrain", 0, null, 1, 2)], LifecycleScenario.Summary(start));
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
    }

    [Fact]
    public void Passing_activeDeadlineSeconds_fails_the_job_with_DeadlineExceeded()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.ActiveDeadlineSeconds = 3600;
        s.RunFirstStage();

        s.Now = s.Now.AddMinutes(30);
        Assert.True(s.Step().RequeueAfter <= TimeSpan.FromMinutes(30));

        s.Now = s.Now.AddMinutes(30);
        var decision = s.Step();
        Assert.Equal(JobPhase.Failed, s.Status.Phase);
        Assert.Equal("DeadlineExceeded", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed).Reason);
        Assert.Equal([new DeleteStageObjects("pretrain")], decision.Actions);
    }

    [Fact]
    public void Time_spent_suspended_does_not_count_against_the_deadline()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.ActiveDeadlineSeconds = 3600;
        s.RunFirstStage();
        s.Now = s.Now.AddMinutes(50);
        s.Job.Spec.Suspend = true;
        s.Step();
        s.DeletionsFinish();

        s.Now = s.Now.AddHours(5);
        s.Job.Spec.Suspend = false;
        s.Step();
        s.Now = s.Now.AddMinutes(30);
        s.Step();

        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
    }

    [Fact]
    public void A_finished_job_is_deleted_ttlSecondsAfterFinished_after_completion()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.TtlSecondsAfterFinished = 600;
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 2 });
        s.Step();
        s.DeletionsFinish();
        var completed = s.Status.CompletionTime!.Value;

        // The deadline counts from the end of the completion's second, the last moment the stored time can stand for.
        s.Now = completed.AddSeconds(600);
        var early = s.Step();
        Assert.Empty(early.Actions);
        Assert.Equal(TimeSpan.FromSeconds(1), early.RequeueAfter);

        s.Now = s.Now.AddSeconds(1);
        Assert.Equal([new DeleteJob()], s.Step().Actions);
    }

    [Fact]
    public void A_completion_time_stored_to_the_second_never_cuts_the_ttl_short()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.TtlSecondsAfterFinished = 1;
        s.Now = s.Now.AddMilliseconds(988);
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 2 });
        s.Step();
        s.DeletionsFinish();
        var finished = s.Now;
        // As read back from the API server: RFC 3339 to the second, 988 ms earlier than the real completion.
        s.Status.CompletionTime = finished.AddTicks(-(finished.Ticks % TimeSpan.TicksPerSecond));

        s.Now = finished.AddMilliseconds(15);
        Assert.Empty(s.Step().Actions);
        s.Now = finished.AddMilliseconds(999);
        Assert.Empty(s.Step().Actions);
        s.Now = finished.AddSeconds(1.1);
        Assert.Equal([new DeleteJob()], s.Step().Actions);
    }
}
