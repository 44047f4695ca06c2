using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class ContainerStartFailuresTests
{
    private const string Missing = "exec: \"llama-train\": executable file not found in $PATH";

    [Fact]
    public void A_container_that_cannot_start_is_a_condition_naming_the_pod_and_reason_not_a_restart()
    {
        var s = new LifecycleScenario();
        s.Step();
        s.Update(_ => true, p => p with { WaitingReason = "CreateContainerError", WaitingMessage = Missing });

        var decision = s.Step();

        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Empty(decision.Actions);
        Assert.Equal((0, 0), (s.Status.Restarts!.Total, s.Status.Restarts.Counted));
        var condition = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.ContainerStartFailure);
        var expected = $"pod tiny-pretrain-0 (node rank 0) cannot start its container (CreateContainerError): {Missing}; 1 more pod of the gang waits likewise; not a training failure, so no restart is counted";
        Assert.Equal(("True", "CreateContainerError", expected), (condition.Status, condition.Reason, condition.Message));
        Assert.Equal(new JobEvent(true, "CreateContainerError", expected), Assert.Single(decision.Events));
        s.AssertStable(); // the event is recorded once, not on every reconcile
    }

    [Fact]
    public void The_condition_turns_false_once_the_containers_start()
    {
        var s = new LifecycleScenario();
        s.Step();
        s.Update(p => p.NodeRank == 1, p => p with { WaitingReason = "ErrImagePull", WaitingMessage = "image \"llama-trainer:1\" not found" });
        s.Step();

        s.Update(_ => true, p => p with { Phase = ObservedPodPhase.Running, WaitingReason = null, WaitingMessage = null });
        s.Step();

        Assert.Equal(JobPhase.Running, s.Status.Phase);
        var condition = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.ContainerStartFailure);
        Assert.Equal(("False", "ContainersStarted"), (condition.Status, condition.Reason));
        s.AssertStable();
    }

    [Fact]
    public void A_container_being_created_is_no_failure()
    {
        var s = new LifecycleScenario();
        s.Step();
        s.Update(_ => true, p => p with { WaitingReason = "ContainerCreating" });

        s.Step();

        Assert.DoesNotContain(s.Status.Conditions!, c => c.Type == ConditionTypes.ContainerStartFailure);
    }
}
