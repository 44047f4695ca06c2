using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Defaults;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>Turns a stage plan into its Kubernetes objects: one pod per node, a headless Service, the job ConfigMap and a PodGroup. Pure.</summary>
public static class StageRenderer
{
    public static RenderedStage Render(LlamaTrainingJob job, StagePlan plan)
    {
        var jobName = job.Metadata.Name;
        if (string.IsNullOrEmpty(jobName))
        {
            throw new PlanException("metadata.name", "required: pod, service and group names are derived from it");
        }

        var names = new StageNames(jobName, plan.StageName, SpecDefaults.Namespace(job));
        names.CheckFits(plan.Layout.Nodes);

        var template = new TrainerPodTemplate(job, plan, names);
        var pods = new V1Pod[plan.Layout.Nodes];
        for (var node = 0; node < pods.Length; node++)
        {
            pods[node] = template.ForNode(node);
        }

        return new RenderedStage(PodGroupFactory.Create(job, plan, names), ConfigMap(job, names), Service(job, names), pods);
    }

    internal static Dictionary<string, string> StageLabels(StageNames names) => new(StringComparer.Ordinal)
    {
        [TrainerLabels.AppName] = TrainerLabels.AppNameValue,
        [TrainerLabels.ManagedBy] = TrainerLabels.ManagedByValue,
        [TrainerLabels.Job] = names.Job,
        [TrainerLabels.Stage] = names.Stage,
    };

    /// <summary>The job as controller owner, so deleting it deletes the gang. A job read from a file has no uid yet: no owner.</summary>
    internal static List<V1OwnerReference>? OwnerReferences(LlamaTrainingJob job) =>
        string.IsNullOrEmpty(job.Metadata.Uid)
            ? null
            : [new V1OwnerReference { ApiVersion = job.ApiVersion, Kind = job.Kind, Name = job.Metadata.Name, Uid = job.Metadata.Uid, BlockOwnerDeletion = true, Controller = true }];

    private static V1Service Service(LlamaTrainingJob job, StageNames names) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = names.Service, NamespaceProperty = names.Namespace, Labels = StageLabels(names), OwnerReferences = OwnerReferences(job) },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            // Pods resolve each other before they are Ready: rendezvous happens before any readiness.
            PublishNotReadyAddresses = true,
            Selector = new Dictionary<string, string>(StringComparer.Ordinal) { [TrainerLabels.Job] = names.Job, [TrainerLabels.Stage] = names.Stage },
            Ports = [new V1ServicePort { Name = "rendezvous", Port = SpecDefaults.MasterPort(job.Spec.Cluster), TargetPort = SpecDefaults.MasterPort(job.Spec.Cluster) }],
        },
    };

    /// <summary>The job (name, namespace and spec) as the trainer reads it from /etc/llamaop/job.json.</summary>
    private static V1ConfigMap ConfigMap(LlamaTrainingJob job, StageNames names)
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
            Metadata = new V1ObjectMeta { Name = names.ConfigMap, NamespaceProperty = names.Namespace, Labels = StageLabels(names), OwnerReferences = OwnerReferences(job) },
            Data = new Dictionary<string, string>(StringComparer.Ordinal) { [TrainerPodTemplate.JobConfigFile] = ApiJson.Serialize(forTrainer, indented: true) },
        };
    }
}
