using System.Globalization;
using k8s.Models;
using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// The trainer pod of one stage: what all its pods share is worked out once, ForNode fills in the per-node parts.
/// Every pod gets its own mutable objects (only immutable ResourceQuantity values are shared), so callers may
/// change one pod without touching the others.
/// </summary>
public sealed class TrainerPodTemplate
{
    public const string ContainerName = "trainer";
    public const string JobConfigMountPath = "/etc/llamaop";
    public const string JobConfigFile = "job.json";
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>
    /// The kubelet's policy for the termination message: the trainer's one-line cause, or when it wrote none on a failure
    /// (killed, crashed before it could), the end of its log.
    /// </summary>
    public const string TerminationMessagePolicy = "FallbackToLogsOnError";

    /// <summary>Long enough for the trainer to finish an in-flight checkpoint snapshot and upload after SIGTERM.</summary>
    public const long TerminationGracePeriodSeconds = 300;

    private readonly ResolvedCluster _cluster;
    private readonly StagePlan _plan;
    private readonly StageNames _names;
    private readonly JobOwner _owner;
    private readonly TrainerEnvironment _environment;
    private readonly int? _lengthIndex;

    // Parsed once: ResourceQuantity parsing costs tens of microseconds, times thousands of pods.
    private readonly V1ResourceRequirements _resources;
    private readonly ResourceQuantity _shmSize;

    /// <param name="lengthIndex">LongContext: which of the stage's sequence lengths the gang trains (passed as --length-index).</param>
    /// <param name="gangGeneration">Which gang of the job this is (LLAMA_GANG_GENERATION).</param>
    public TrainerPodTemplate(ResolvedJob job, StagePlan plan, StageNames names, JobOwner owner, int? lengthIndex = null, long gangGeneration = 0)
    {
        _lengthIndex = lengthIndex;
        _cluster = job.Cluster;
        _plan = plan;
        _names = names;
        _owner = owner;
        _environment = new TrainerEnvironment(job, plan, names, gangGeneration);
        _resources = Resources(job.Cluster);
        _shmSize = new ResourceQuantity(job.Cluster.ShmSize);
    }

    public static string[] Command(string stageName, int? lengthIndex = null) =>
        lengthIndex is { } index
            ? ["llama-train", "train", "--job", JobConfigPath, "--stage", stageName, "--length-index", index.ToString(CultureInfo.InvariantCulture)]
            : ["llama-train", "train", "--job", JobConfigPath, "--stage", stageName];

    /// <summary>Where the pod sees the job manifest (the ConfigMap's volume).</summary>
    public const string JobConfigPath = JobConfigMountPath + "/" + JobConfigFile;

    /// <summary>The container's requests and limits: the cluster's resources with nvidia.com/gpu set to gpusPerNode.</summary>
    public static V1ResourceRequirements Resources(ResolvedCluster cluster)
    {
        var gpus = new ResourceQuantity(cluster.GpusPerNode.ToString(CultureInfo.InvariantCulture));
        var limits = new Dictionary<string, ResourceQuantity>(cluster.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal) { [GpuResource] = gpus };
        var requests = new Dictionary<string, ResourceQuantity>(cluster.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal) { [GpuResource] = gpus };
        return new V1ResourceRequirements { Limits = limits, Requests = requests };
    }

    public V1Pod ForNode(long nodeRank)
    {
        var scheduling = _cluster.Scheduling;
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
                OwnerReferences = _owner.References(),
            },
            Spec = new V1PodSpec
            {
                Hostname = _names.Pod(nodeRank),
                Subdomain = _names.Service,
                RestartPolicy = "Never", // the operator restarts the whole gang, never a single pod
                AutomountServiceAccountToken = false, // the trainer never calls the API
                TerminationGracePeriodSeconds = TerminationGracePeriodSeconds,
                SchedulerName = scheduling.SchedulerName,
                PriorityClassName = scheduling.PriorityClassName,
                NodeSelector = scheduling.NodeSelector.Count > 0 ? new Dictionary<string, string>(scheduling.NodeSelector) : null,
                Tolerations = scheduling.Tolerations.Count > 0 ? [.. scheduling.Tolerations] : null,
                Affinity = ReplicaPlacement.For(scheduling.TopologyKey, _names, dpReplica),
                ImagePullSecrets = _cluster.ImagePullSecrets.Count > 0 ? [.. _cluster.ImagePullSecrets.Select(name => new V1LocalObjectReference { Name = name })] : null,
                Containers = [Container(nodeRank)],
                Volumes =
                [
                    new V1Volume { Name = "job-config", ConfigMap = new V1ConfigMapVolumeSource { Name = _names.ConfigMap } },
                    new V1Volume { Name = "dshm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = _shmSize } },
                ],
            },
        };
    }

    private V1Container Container(long nodeRank) => new()
    {
        Name = ContainerName,
        Image = _cluster.Image,
        ImagePullPolicy = _cluster.ImagePullPolicy,
        Command = Command(_plan.StageName, _plan.StageType == StageType.LongContext ? _lengthIndex ?? 0 : null),
        Env = _environment.ForNode(nodeRank),
        TerminationMessagePath = TrainerTerminationMessage.DefaultPath,
        TerminationMessagePolicy = TerminationMessagePolicy,
        Ports = [new V1ContainerPort { ContainerPort = _cluster.MasterPort, Name = "rendezvous" }],
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

    private Dictionary<string, string> Labels(long nodeRank, int dpReplica)
    {
        var labels = StageRenderer.StageLabels(_names);
        labels[TrainerLabels.NodeRank] = nodeRank.ToString(CultureInfo.InvariantCulture);
        labels[TrainerLabels.DpReplica] = dpReplica.ToString(CultureInfo.InvariantCulture);
        var scheduling = _cluster.Scheduling;
        if (scheduling.Gang == GangScheduler.Coscheduling)
        {
            labels[TrainerLabels.CoschedulingPodGroup] = _names.PodGroup;
        }

        if (UsesKueue)
        {
            labels[TrainerLabels.KueueQueueName] = scheduling.Queue!;
            labels[TrainerLabels.KueuePodGroupName] = _names.PodGroup;
        }

        return labels;
    }

    private Dictionary<string, string>? Annotations()
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_cluster.Scheduling.Gang == GangScheduler.Volcano)
        {
            annotations[TrainerLabels.VolcanoGroupName] = _names.PodGroup;
        }

        if (UsesKueue)
        {
            annotations[TrainerLabels.KueuePodGroupTotalCount] = _plan.Layout.Nodes.ToString(CultureInfo.InvariantCulture);
        }

        return annotations.Count == 0 ? null : annotations;
    }

    /// <summary>A queue means a Kueue LocalQueue, except under Volcano, where it names the PodGroup's Volcano queue.</summary>
    private bool UsesKueue => _cluster.Scheduling.Queue is not null && _cluster.Scheduling.Gang != GangScheduler.Volcano;
}
