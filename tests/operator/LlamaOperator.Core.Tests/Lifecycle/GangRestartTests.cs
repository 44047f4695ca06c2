using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class GangRestartTests
{
    [Fact]
    public void A_pod_failing_with_exit_1_restarts_the_whole_gang_after_10s_backoff_from_step_40s_checkpoint()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 40);
        s.Step();
        s.Now = s.Now.AddMinutes(1);
        s.Update(p => p.NodeRank == 1, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 1, TerminationReason = "Error" });

        var failed = s.Step();

        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal([new DeleteGang("pretrain")], failed.Actions);
        Assert.Equal(TimeSpan.FromSeconds(10), failed.RequeueAfter);
        var restarts = s.Status.Restarts!;
        Assert.Equal((1, 1, 1, s.Now), (restarts.Total, restarts.Counted, restarts.Consecutive!.Value, restarts.LastRestartTime!.Value));
        Assert.Equal(1, restarts.ByReason!["PodFailed"]);
        var warning = Assert.Single(failed.Events);
        Assert.True(warning.Warning);
        Assert.Contains("tiny-pretrain-1 (node rank 1) exited with code 1", warning.Message);
        Assert.Contains("/ckpt/tiny/step-40", warning.Message);

        // The pods are gone after 5 s: the backoff is not over, nothing is created yet.
        s.DeletionsFinish();
        s.Now = s.Now.AddSeconds(5);
        var waiting = s.Step();
        Assert.Empty(waiting.Actions);
        Assert.Equal(TimeSpan.FromSeconds(5), waiting.RequeueAfter);

        s.Now = s.Now.AddSeconds(5);
        Assert.Equal(1, s.Status.GangGeneration);
        var recreated = s.Step();
        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Equal(2, s.Status.GangGeneration); // the new gang's pods get LLAMA_GANG_GENERATION=2
        Assert.Equal([new Gang("pretrain", 0, "/ckpt/tiny/step-40", 2, 2)], LifecycleScenario.Summary(recreated));
        s.AssertStable();
    }

    [Fact]
    public void Peers_exiting_with_peer_failure_restart_the_gang_counted_under_the_root_causes_reason()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = TrainerExitCodes.PeerFailure, TerminationReason = "Error" });
        s.Update(p => p.NodeRank == 1, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 137, TerminationReason = "OOMKilled" });

        var failed = s.Step();

        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal((1, 1), (s.Status.Restarts!.Total, s.Status.Restarts.Counted));
        Assert.Equal(new Dictionary<string, int> { ["OOMKilled"] = 1 }, s.Status.Restarts.ByReason);
        var warning = Assert.Single(failed.Events);
        Assert.Equal("OOMKilled", warning.Reason);
        Assert.Contains("tiny-pretrain-1 (node rank 1) exited with code 137 (OOMKilled); 1 more pod of the gang failed with it (1 PeerFailure)", warning.Message);
    }

    [Fact]
    public void Only_peer_failures_seen_restart_the_gang_with_reason_peer_failure()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = TrainerExitCodes.PeerFailure });

        var failed = s.Step();

        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal(1, s.Status.Restarts!.Counted);
        Assert.Equal("PeerFailure", Assert.Single(failed.Events).Reason);
    }

    [Fact]
    public void The_backoff_doubles_per_consecutive_restart_up_to_maxBackoffSeconds()
    {
        var policy = new ResolvedFailurePolicy(10, 10, 600, 1800, 600, null, [2]);

        var delays = Enumerable.Range(0, 9).Select(n => RestartBackoff.Delay(policy, n).TotalSeconds);

        Assert.Equal([0, 10, 20, 40, 80, 160, 320, 600, 600], delays);
    }

    [Fact]
    public void The_second_consecutive_failure_waits_20s_and_a_new_checkpoint_resets_the_backoff()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        FailAndRecover(s);
        s.Update(_ => true, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 1 });
        Assert.Equal(TimeSpan.FromSeconds(20), s.Step().RequeueAfter);

        s.DeletionsFinish();
        s.Now = s.Now.AddSeconds(20);
        s.Step();
        s.SetPods("pretrain", ObservedPodPhase.Running);
        s.Step();
        s.Commit("pretrain", 0, 80);
        s.Step();
        Assert.Equal(0, s.Status.Restarts!.Consecutive);
    }

    [Fact]
    public void A_fatal_exit_code_fails_the_job_at_once_and_deletes_the_gang()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 2 });

        var decision = s.Step();

        Assert.Equal(JobPhase.Failed, s.Status.Phase);
        Assert.Equal([new DeleteStageObjects("pretrain")], decision.Actions);
        var failed = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(("True", "FatalExitCode"), (failed.Status, failed.Reason));
        Assert.Contains("exited with code 2, listed in failurePolicy.fatalExitCodes", failed.Message);
        Assert.Null(s.Status.Restarts!.LastRestartTime);
        s.DeletionsFinish();
        s.AssertStable();
    }

    [Fact]
    public void A_fatal_exit_quotes_the_trainers_termination_message_in_the_failed_condition_and_the_event()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        const string cause = "/data/general: no prepared data (index.json not found); run `llama-train prepare-data` into it, or give the source prepareFrom";
        s.Update(p => p.NodeRank == 1, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 2, TerminationReason = "Error", TerminationMessage = cause + "\n" });

        var decision = s.Step();

        var expected = $"pod tiny-pretrain-1 (node rank 1) exited with code 2 (Error), listed in failurePolicy.fatalExitCodes: \"{cause}\"";
        var failed = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal(("True", "FatalExitCode", expected), (failed.Status, failed.Reason, failed.Message));
        Assert.Equal(new JobEvent(true, "FatalExitCode", expected), Assert.Single(decision.Events));
    }

    [Fact]
    public void A_restart_names_the_failed_pods_cause_with_the_lines_of_a_log_tail_joined()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 139, TerminationReason = "Error", TerminationMessage = "step 41\nSegmentation fault (core dumped)\n" });

        var decision = s.Step();

        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.StartsWith("pod tiny-pretrain-0 (node rank 0) exited with code 139 (Error): \"step 41 | Segmentation fault (core dumped)\": the whole gang", Assert.Single(decision.Events).Message);
    }

    [Fact]
    public void An_exit_code_outside_the_retryable_list_fails_the_job()
    {
        var s = new LifecycleScenario();
        s.Job.Spec.FailurePolicy!.RetryableExitCodes = [1];
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 3 });

        s.Step();

        Assert.Equal("NonRetryableExitCode", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed).Reason);
    }

    public static TheoryData<string, ObservedPod> InfrastructureFailures => new()
    {
        { "Evicted", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Failed, TerminationReason: "Evicted") },
        { "Disrupted", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Running, DisruptionTarget: true) },
        { "NodeLost", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Running, NodeName: "node-0", NodeLost: true) },
        { "NodeLost", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Unknown) },
        { "PodDeleted", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Running, DeletionTimestamp: LifecycleScenario.Start) },
        { "ContainerCannotRun", new ObservedPod("tiny-pretrain-0", "pretrain", 0, ObservedPodPhase.Failed, ExitCode: 128, TerminationReason: "StartError") },
    };

    [Theory]
    [MemberData(nameof(InfrastructureFailures))]
    public void An_infrastructure_failure_restarts_the_gang_without_counting_against_maxRestarts(string reason, ObservedPod pod)
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Pods[0] = pod;

        s.Step();

        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal((1, 0), (s.Status.Restarts!.Total, s.Status.Restarts.Counted));
        Assert.Equal(1, s.Status.Restarts.ByReason![reason]);
    }

    [Fact]
    public void A_pod_missing_from_a_running_gang_is_an_uncounted_restart()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Pods.RemoveAt(1);

        s.Step();

        Assert.Equal((JobPhase.Restarting, 0), (s.Status.Phase!.Value, s.Status.Restarts!.Counted));
        Assert.Equal(1, s.Status.Restarts.ByReason!["PodMissing"]);
    }

    [Fact]
    public void OOMKilled_is_a_counted_restart_with_its_own_reason()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 137, TerminationReason = "OOMKilled" });

        s.Step();

        Assert.Equal((1, 1), (s.Status.Restarts!.Counted, s.Status.Restarts.ByReason!["OOMKilled"]));
    }

    [Fact]
    public void More_counted_restarts_than_maxRestarts_fail_the_job_with_the_reason()
    {
        var s = new LifecycleScenario(); // maxRestarts 2
        s.RunFirstStage();
        FailAndRecover(s);
        FailAndRecover(s);
        s.Update(p => p.NodeRank == 0, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 1 });

        s.Step();

        Assert.Equal(JobPhase.Failed, s.Status.Phase);
        var failed = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal("MaxRestartsExceeded", failed.Reason);
        Assert.StartsWith("3 counted restarts exceed failurePolicy.maxRestarts (2)", failed.Message);
    }

    [Fact]
    public void A_gang_without_heartbeat_for_the_hang_timeout_is_restarted()
    {
        var s = new LifecycleScenario(); // hangTimeoutSeconds 300
        s.RunFirstStage();
        s.Commit("pretrain", 0, 40);
        s.Now = s.Now.AddSeconds(200);

        var alive = s.Step();
        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Equal(TimeSpan.FromSeconds(100), alive.RequeueAfter);

        s.Now = s.Now.AddSeconds(100);
        var hung = s.Step();
        Assert.Equal(JobPhase.Restarting, s.Status.Phase);
        Assert.Equal([new DeleteGang("pretrain")], hung.Actions);
        Assert.Equal((1, 1), (s.Status.Restarts!.Counted, s.Status.Restarts.ByReason!["Hang"]));
    }

    [Fact]
    public void A_gang_that_exits_0_without_its_stage_end_checkpoint_is_restarted()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Commit("pretrain", 0, 40);
        s.SetPods("pretrain", ObservedPodPhase.Succeeded);

        s.Step();

        Assert.Equal(1, s.Status.Restarts!.ByReason!["ExitedWithoutStageEnd"]);
    }

    [Fact]
    public void A_pod_stuck_terminating_on_a_lost_node_is_force_deleted_after_the_grace()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Update(p => p.NodeRank == 0, p => p with { NodeLost = true });
        s.Step();
        s.Pods.RemoveAll(p => p.NodeRank == 1);

        s.Now = s.Now.AddMinutes(4);
        var early = s.Step();
        Assert.Empty(early.Actions);
        Assert.Equal(TimeSpan.FromMinutes(1), early.RequeueAfter);

        s.Now = s.Now.AddMinutes(1);
        var due = s.Step();
        Assert.Equal([new ForceDeletePod("tiny-pretrain-0")], due.Actions);
    }

    /// <summary>A retryable failure of the whole gang, the backoff, and the gang running again.</summary>
    private static void FailAndRecover(LifecycleScenario s)
    {
        s.Update(_ => true, p => p with { Phase = ObservedPodPhase.Failed, ExitCode = 1 });
        var restart = s.Step();
        s.DeletionsFinish();
        s.Now += restart.RequeueAfter!.Value;
        s.Step();
        s.SetPods("pretrain", ObservedPodPhase.Running);
        s.Step();
        Assert.Equal(JobPhase.Running, s.Status.Phase);
    }
}
