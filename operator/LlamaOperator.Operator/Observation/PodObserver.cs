using System.Globalization;
using k8s.Models;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Observation;

/// <summary>Maps a cached V1Pod to the lifecycle's ObservedPod.</summary>
public static class PodObserver
{
    public static ObservedPod Observe(V1Pod pod, NodeHealth nodes)
    {
        var state = Trainer(pod)?.State;
        var terminated = state?.Terminated;
        return new ObservedPod(
            pod.Metadata.Name,
            Labels.Value(pod, TrainerLabels.Stage) ?? "",
            int.TryParse(Labels.Value(pod, TrainerLabels.NodeRank), NumberStyles.None, CultureInfo.InvariantCulture, out var rank) ? rank : 0,
            Phase(pod.Status?.Phase),
            terminated?.ExitCode,
            // An evicted, preempted or node-lost pod says so on the pod; the container only says it was killed.
            string.IsNullOrEmpty(pod.Status?.Reason) ? terminated?.Reason : pod.Status.Reason,
            pod.Metadata.DeletionTimestamp is { } deleting ? DateTime.SpecifyKind(deleting, DateTimeKind.Utc) : null,
            pod.Spec?.NodeName,
            pod.Status?.Conditions?.Any(c => c.Type == "DisruptionTarget" && c.Status == "True") == true,
            nodes.IsLost(pod.Spec?.NodeName),
            terminated?.FinishedAt is { } finished ? DateTime.SpecifyKind(finished, DateTimeKind.Utc) : null,
            string.IsNullOrEmpty(terminated?.Message) ? null : terminated.Message,
            state?.Waiting?.Reason,
            state?.Waiting?.Message);
    }

    /// <summary>The trainer container's status (the only container; by name when a sidecar is injected).</summary>
    private static V1ContainerStatus? Trainer(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses;
        return statuses?.FirstOrDefault(s => s.Name == TrainerPodTemplate.ContainerName) ?? statuses?.FirstOrDefault();
    }

    private static ObservedPodPhase Phase(string? phase) => phase switch
    {
        "Running" => ObservedPodPhase.Running,
        "Succeeded" => ObservedPodPhase.Succeeded,
        "Failed" => ObservedPodPhase.Failed,
        "Unknown" => ObservedPodPhase.Unknown,
        _ => ObservedPodPhase.Pending,
    };
}
