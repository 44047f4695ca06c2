using k8s.Models;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Observation;

namespace LlamaOperator.Operator.Tests.Observation;

public class PodObserverTests
{
    private static readonly V1Node ReadyNode = Node("node-a", "True");

    private static V1Node Node(string name, string ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = ready }] },
    };

    private static V1Pod Pod(string phase, V1ContainerState? state = null, string? reason = null, string? node = "node-a") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "tiny-pretrain-1",
            Labels = new Dictionary<string, string> { [TrainerLabels.Job] = "tiny", [TrainerLabels.Stage] = "pretrain", [TrainerLabels.NodeRank] = "1" },
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Reason = reason,
            ContainerStatuses = state is null ? null : [new V1ContainerStatus { Name = TrainerPodTemplate.ContainerName, State = state, Image = "i", ImageID = "", Ready = false, RestartCount = 0 }],
        },
    };

    private static NodeHealth Nodes(params V1Node[] nodes) => new(name => nodes.FirstOrDefault(n => n.Metadata.Name == name));

    [Fact]
    public void A_failed_trainer_container_gives_its_exit_code_and_reason()
    {
        var finished = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        var observed = PodObserver.Observe(Pod("Failed", new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled", FinishedAt = finished } }), Nodes(ReadyNode));

        Assert.Equal(new ObservedPod("tiny-pretrain-1", "pretrain", 1, ObservedPodPhase.Failed, 137, "OOMKilled", null, "node-a", FinishedAt: finished), observed);
    }

    [Fact]
    public void The_trainer_containers_termination_message_and_waiting_state_are_observed()
    {
        var failed = PodObserver.Observe(Pod("Failed", new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = "Error", Message = "no prepared data\n" } }), Nodes(ReadyNode));
        var waiting = PodObserver.Observe(Pod("Pending", new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CreateContainerError", Message = "exec: \"llama-train\": executable file not found in $PATH" } }), Nodes(ReadyNode));

        Assert.Equal("no prepared data\n", failed.TerminationMessage);
        Assert.Equal(("CreateContainerError", "exec: \"llama-train\": executable file not found in $PATH"), (waiting.WaitingReason, waiting.WaitingMessage));
        Assert.True(waiting.CannotStart);
    }

    [Fact]
    public void An_evicted_pod_reports_the_pod_reason_over_the_container_reason()
    {
        var observed = PodObserver.Observe(Pod("Failed", new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 143, Reason = "Error" } }, reason: "Evicted"), Nodes(ReadyNode));

        Assert.Equal("Evicted", observed.TerminationReason);
        Assert.Equal(143, observed.ExitCode);
    }

    [Fact]
    public void A_pod_on_a_not_ready_or_vanished_node_is_on_a_lost_node()
    {
        Assert.True(PodObserver.Observe(Pod("Running"), Nodes(Node("node-a", "Unknown"))).NodeLost);
        Assert.True(PodObserver.Observe(Pod("Running"), Nodes()).NodeLost);
        Assert.False(PodObserver.Observe(Pod("Running"), Nodes(ReadyNode)).NodeLost);
        Assert.False(PodObserver.Observe(Pod("Pending", node: null), Nodes()).NodeLost); // not scheduled yet
        Assert.False(PodObserver.Observe(Pod("Running"), new NodeHealth(null)).NodeLost); // nodes not watched
    }

    [Fact]
    public void Disruption_and_deletion_are_carried_over()
    {
        var pod = Pod("Running");
        pod.Status.Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True" }];
        pod.Metadata.DeletionTimestamp = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

        var observed = PodObserver.Observe(pod, Nodes(ReadyNode));

        Assert.True(observed.DisruptionTarget);
        Assert.True(observed.IsTerminating);
        Assert.Equal(ObservedPodPhase.Running, observed.Phase);
    }
}
