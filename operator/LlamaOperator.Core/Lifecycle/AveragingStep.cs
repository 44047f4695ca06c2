using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>Averaging: one pod averages the anneal stage's last checkpoints; its final model makes the job Succeeded.</summary>
internal static class AveragingStep
{
    /// <summary>`llama-train average` as the trainer's CLI takes it; the pod mounts the job manifest like the trainer pods do.</summary>
    public static IReadOnlyList<string> Command(ResolvedStage anneal) =>
        ["llama-train", "average", "--job", TrainerPodTemplate.JobConfigPath, "--stage", anneal.Name, "--count", anneal.Averaging!.Checkpoints.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public static void Apply(DecisionContext context)
    {
        var pod = context.Observation.Children.AveragingPod;
        var finalModel = context.Observation.Progress.FinalModelUri;
        if (pod?.Phase == ObservedPodPhase.Succeeded && finalModel is not null)
        {
            context.Status.FinalModel = finalModel;
            context.Transition(JobPhase.Succeeded, "JobSucceeded", $"checkpoint averaging finished; final model at {finalModel}");
        }
        else if (pod?.Phase == ObservedPodPhase.Failed)
        {
            context.Transition(JobPhase.Failed, "AveragingFailed", $"the averaging pod {pod.Name} exited with code {pod.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ({pod.TerminationReason ?? "no reason"}){pod.QuotedCause}", warning: true);
        }
    }
}
