using System.Globalization;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Defaults;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// The trainer pod of one stage: what all its pods share is worked out once, ForNode fills in the per-node parts.
/// Every pod gets its own mutable objects (only immutable ResourceQuantity values are shared), so callers may change one pod without touching the others.
/// </summary>
public sealed class TrainerPodTemplate
{
    public const string ContainerName = "trainer";
    public const string JobConfigMountPath = "/etc/llamaop";
    public const string JobConfigFile = "job.json";
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>Long enough for the trainer to finish an in-flight checkpoint snapshot and upload after SIGTERM.</summary>
    public const long TerminationGracePeriodSeconds = 300;

    private readonly LlamaTrainingJob _job;
    private readonly StagePlan _plan;
    private readonly StageNames _names;
    private readonly TrainerEnvironment _environment;
    private readonly GangScheduler _gang;
    private readonly string? _queue;

    // Parsed once: ResourceQuantity parsing costs tens of microseconds, times thousands of pods. Quantities are immutable.
    private readonly V1ResourceRequirements _resources;
    private readonly ResourceQuantity _shmSize;

    public TrainerPodTemplate(LlamaTrainingJob job, StagePlan plan, StageNames names)
    {
        _job = job;
        _plan = plan;
        _names = names;
        _environment = new TrainerEnvironment(job, plan, names);
        _gang = SpecDefaults.Gang(job.Spec.Cluster);
        _queue = job.Spec.Cluster.Scheduling?.Queue;
        _resources = Resources(job.Spec.Cluster);
        _shmSize = new ResourceQuantity(SpecDefaults.ShmSize(job.Spec.Cluster));
    }

    public static string[] Command(string stageName) =>
        ["llama-train", "train", "--job", $"{JobConfigMountPath}/{JobConfigFile}", "--stage", stageName];

    /// <summary>The container's requests and limits: the cluster's resources with nvidia.com/gpu set to gpusPerNode.</summary>
    public static V1ResourceRequirements Resources(ClusterSpec cluster)
    {
        var gpus = new ResourceQuantity(cluster.GpusPerNode.ToString(CultureInfo.InvariantCulture));
        var limits = new Dictionary<string, ResourceQuantity>(cluster.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal) { [GpuResource] = gpus };
        var requests = new Dictionary<string, ResourceQuantity>(cluster.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal) { [GpuResource] = gpus };
        return new V1ResourceRequirements { Limits = limits, Requests = requests };
    }

    public V1Pod ForNode(long nodeRank)
    {
        var cluster = _job.Spec.Cluster;
        var scheduling = cluster.Scheduling;
        var dpReplica = _plan.Layout.DpReplicaOfNode(nodeRank);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = _names.Pod(nodeRank),
                NamespaceProperty = _names.Namespace,
                Labels = Labels(nodeRank, dpReplica),
                Annotations = Annotations(),
                OwnerReferences = StageRenderer.OwnerReferences(_job),
            },
            Spec = new V1PodSpec
            {
                Hostname = _names.Pod(nodeRank),
                Subdomain = _names.Service,
                RestartPolicy = "Never", // the operator restarts the whole gang, never a single pod
                TerminationGracePeriodSeconds = TerminationGracePeriodSeconds,
                SchedulerName = SpecDefaults.SchedulerName(cluster),
                PriorityClassName = scheduling?.PriorityClassName,
                NodeSelector = scheduling?.NodeSelector is { } selector ? new Dictionary<string, string>(selector) : null,
                Tolerations = scheduling?.Tolerations is { } tolerations ? [.. tolerations] : null,
                Affinity = ReplicaPlacement.For(scheduling?.TopologyKey, _names, dpReplica),
                ImagePullSecrets = cluster.ImagePullSecrets?.Select(name => new V1LocalObjectReference { Name = name }).ToList(),
                Containers = [Container(nodeRank)],
                Volumes =
                [
                    new V1Volume { Name = "job-config", ConfigMap = new V1ConfigMapVolumeSource { Name = _names.ConfigMap } },
                    new V1Volume { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = _shmSize } },
                ],
            },
        };
    }

    private V1Container Container(long nodeRank)
    {
        var cluster = _job.Spec.Cluster;
        return new V1Container
        {
            Name = ContainerName,
            Image = cluster.Image,
            ImagePullPolicy = cluster.ImagePullPolicy,
            Command = Command(_plan.StageName),
            Env = _environment.ForNode(nodeRank),
            Ports = [new V1ContainerPort { ContainerPort = SpecDefaults.MasterPort(cluster), Name = "rendezvous" }],
            Resources = new V1ResourceRequirements
            {
                Limits = new Dictionary<string, ResourceQuantity>(_resources.Limits, StringComparer.Ordinal),
                Requests = new Dictionary<string, ResourceQuantity>(_resources.Requests, StringComparer.Ordinal),
            },
            VolumeMounts =
            [
                new V1VolumeMount { Name = "job-config", MountPath = JobConfigMountPath, ReadOnlyProperty = true },
                new V1VolumeMount { Name = "dshm", MountPath = "/dev/shm" },
            ],
        };
    }

    private Dictionary<string, string> Labels(long nodeRank, int dpReplica)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TrainerLabels.AppName] = TrainerLabels.AppNameValue,
            [TrainerLabels.ManagedBy] = TrainerLabels.ManagedByValue,
            [TrainerLabels.Job] = _names.Job,
            [TrainerLabels.Stage] = _names.Stage,
            [TrainerLabels.NodeRank] = nodeRank.ToString(CultureInfo.InvariantCulture),
            [TrainerLabels.DpReplica] = dpReplica.ToString(CultureInfo.InvariantCulture),
        };
        if (_gang == GangScheduler.Coscheduling)
        {
            labels[TrainerLabels.CoschedulingPodGroup] = _names.PodGroup;
        }

        if (_queue is not null && _gang != GangScheduler.Volcano)
        {
            labels[TrainerLabels.KueueQueueName] = _queue;
            labels[TrainerLabels.KueuePodGroupName] = _names.PodGroup;
        }

        return labels;
    }

    private Dictionary<string, string>? Annotations()
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_gang == GangScheduler.Volcano)
        {
            annotations[TrainerLabels.VolcanoGroupName] = _names.PodGroup;
        }

        if (_queue is not null && _gang != GangScheduler.Volcano)
        {
            annotations[TrainerLabels.KueuePodGroupTotalCount] = _plan.Layout.Nodes.ToString(CultureInfo.InvariantCulture);
        }

        return annotations.Count == 0 ? null : annotations;
    }
}
