using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>Turns a stage plan into its Kubernetes objects: one pod per node, a headless Service, the job ConfigMap and a PodGroup. Pure.</summary>
public static class StageRenderer
{
    /// <param name="job">The job as submitted: its uid makes it the owner, its spec goes to the trainer.</param>
    /// <param name="resolved">The same job resolved (JobResolver.Resolve): the settings the objects are made from.</param>
    /// <param name="plan">The stage's plan (StagePlanner.Plan of the resolved job).</param>
    /// <param name="lengthIndex">LongContext: the index of the sequence length the gang trains (0 when null); ignored by other stages.</param>
    /// <param name="gangGeneration">The job's status.gangGeneration, the pods' LLAMA_GANG_GENERATION.</param>
    public static RenderedStage Render(LlamaTrainingJob job, ResolvedJob resolved, StagePlan plan, int? lengthIndex = null, long gangGeneration = 0)
    {
        var objects = Objects(job, resolved, resolved.Stages.First(s => s.Name == plan.StageName));
        return new RenderedStage(objects.PodGroup, objects.ConfigMap, objects.Service, Pods(job, resolved, plan, lengthIndex, gangGeneration));
    }

    /// <summary>
    /// The stage's objects other than its pods: they depend neither on the gang (length index, generation) nor on the
    /// plan, so they are cheap to render on every reconcile (to compare with what the cluster has).
    /// </summary>
    public static StageObjects Objects(LlamaTrainingJob job, ResolvedJob resolved, ResolvedStage stage)
    {
        var names = new StageNames(resolved.Name, stage.Name, resolved.Namespace);
        var owner = JobOwner.Of(job);
        return new StageObjects(
            PodGroupFactory.Create(resolved.Cluster, stage.Nodes, names, owner),
            ConfigMap(job, names, owner),
            Service(resolved.Cluster.MasterPort, names, owner));
    }

    /// <summary>The gang's pods, one per node, by node rank.</summary>
    public static IReadOnlyList<V1Pod> Pods(LlamaTrainingJob job, ResolvedJob resolved, StagePlan plan, int? lengthIndex, long gangGeneration)
    {
        var names = new StageNames(resolved.Name, plan.StageName, resolved.Namespace);
        var template = new TrainerPodTemplate(resolved, plan, names, JobOwner.Of(job), lengthIndex, gangGeneration);
        var pods = new V1Pod[plan.Layout.Nodes];
        for (var node = 0; node < pods.Length; node++)
        {
            pods[node] = template.ForNode(node);
        }

        return pods;
    }

    internal static Dictionary<string, string> StageLabels(StageNames names) => new(StringComparer.Ordinal)
    {
        [TrainerLabels.AppName] = TrainerLabels.AppNameValue,
        [TrainerLabels.ManagedBy] = TrainerLabels.ManagedByValue,
        [TrainerLabels.Job] = names.Job,
        [TrainerLabels.Stage] = names.Stage,
    };

    private static V1Service Service(int masterPort, StageNames names, JobOwner owner) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = names.Service, NamespaceProperty = names.Namespace, Labels = StageLabels(names), OwnerReferences = owner.References() },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            // Pods resolve each other before they are Ready: rendezvous happens before any readiness.
            PublishNotReadyAddresses = true,
            Selector = new Dictionary<string, string>(StringComparer.Ordinal) { [TrainerLabels.Job] = names.Job, [TrainerLabels.Stage] = names.Stage },
            Ports = [new V1ServicePort { Name = "rendezvous", Port = masterPort, TargetPort = masterPort }],
        },
    };

    /// <summary>The job as submitted (name, namespace, uid, spec): the trainer resolves it with the same JobResolver.</summary>
    private static V1ConfigMap ConfigMap(LlamaTrainingJob job, StageNames names, JobOwner owner)
    {
        var forTrainer = new LlamaTrainingJob
        {
            Metadata = new V1ObjectMeta { Name = names.Job, NamespaceProperty = names.Namespace, Uid = job.Metadata.Uid },
            Spec = job.Spec,
        };
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = names.ConfigMap, NamespaceProperty = names.Namespace, Labels = StageLabels(names), OwnerReferences = owner.References() },
            Data = new Dictionary<string, string>(StringComparer.Ordinal) { [TrainerPodTemplate.JobConfigFile] = ApiJson.Serialize(forTrainer, indented: true) },
        };
    }
}
