using k8s.Models;
using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>The checkpoint-averaging step's objects: a ConfigMap with the job manifest and one pod running the averaging command.</summary>
public sealed record RenderedAveraging(V1ConfigMap ConfigMap, V1Pod Pod);

/// <summary>
/// Renders the one-pod averaging step from the anneal stage's trainer pod (same image, storage environment and
/// resources, so it can hold the model), without the gang: no PodGroup membership, no rendezvous Service, its own
/// ConfigMap (the anneal stage's objects are gone by then). Pure.
/// </summary>
public static class AveragingPodRenderer
{
    public static string PodName(string job) => $"{job}-average";

    public static string ConfigMapName(string job) => $"{job}-average-job";

    /// <param name="job">The job as submitted (owner, manifest for the pod).</param>
    /// <param name="resolved">The same job resolved.</param>
    /// <param name="annealPlan">The plan of the stage whose checkpoints are averaged.</param>
    /// <param name="command">The averaging command (from the lifecycle's CreateAveragingPod action).</param>
    public static RenderedAveraging Render(LlamaTrainingJob job, ResolvedJob resolved, StagePlan annealPlan, IReadOnlyList<string> command)
    {
        var owner = JobOwner.Of(job);
        var names = new StageNames(resolved.Name, annealPlan.StageName, resolved.Namespace);
        var trainer = new TrainerPodTemplate(resolved, annealPlan, names, owner).ForNode(0);
        var labels = Labels(resolved.Name);

        var configMap = StageRenderer.Objects(job, resolved, resolved.Stages.First(s => s.Name == annealPlan.StageName)).ConfigMap;
        configMap.Metadata.Name = ConfigMapName(resolved.Name);
        configMap.Metadata.Labels = Labels(resolved.Name);

        var container = trainer.Spec.Containers[0];
        container.Command = [.. command];
        container.Ports = null;
        container.Env = [.. container.Env.Where(e => e.Name is "LLAMA_STAGE" or "LLAMA_CHECKPOINT_URI" or TrainerTerminationMessage.PathVariable or BlobCredentialVariables.ConnectionString or BlobCredentialVariables.SasToken
            || resolved.Cluster.Env.Any(u => u.Name == e.Name))];
        var spec = trainer.Spec;
        spec.Hostname = null;
        spec.Subdomain = null;
        spec.Affinity = null;
        spec.Volumes.Single(v => v.Name == "job-config").ConfigMap.Name = configMap.Metadata.Name;
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = PodName(resolved.Name), NamespaceProperty = resolved.Namespace, Labels = labels, OwnerReferences = owner.References() },
            Spec = spec,
        };
        return new RenderedAveraging(configMap, pod);
    }

    private static Dictionary<string, string> Labels(string job) => new(StringComparer.Ordinal)
    {
        [TrainerLabels.AppName] = TrainerLabels.AppNameValue,
        [TrainerLabels.ManagedBy] = TrainerLabels.ManagedByValue,
        [TrainerLabels.Job] = job,
        [TrainerLabels.Role] = TrainerLabels.AveragingRole,
    };
}
