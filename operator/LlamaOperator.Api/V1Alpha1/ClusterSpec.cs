using System.ComponentModel;
using k8s.Models;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("The GPU nodes the trainer pods run on: one pod per node, gpusPerNode processes each.")]
public sealed class ClusterSpec
{
    [Description("GPUs per node (and trainer processes per pod). Tensor parallelism stays inside a node, so tp must divide it.")]
    [Minimum(1)]
    [DefaultValueJson("8")]
    public int GpusPerNode { get; set; } = 8;

    [Description("Memory of one GPU in GiB, for the planner's memory check (80 for H100 80GB).")]
    [Minimum(1)]
    [DefaultValueJson("80")]
    public double? GpuMemoryGiB { get; set; }

    [Description("Peak dense BF16 TFLOP/s of one GPU, for MFU (989 for H100 SXM).")]
    [Minimum(0)]
    public double? PeakTflopsPerGpu { get; set; }

    [Description("Trainer container image.")]
    [RequiredField]
    public string Image { get; set; } = "";

    [Description("Image pull policy: Always, IfNotPresent or Never.")]
    public string? ImagePullPolicy { get; set; }

    [Description("Names of Secrets used to pull the trainer image.")]
    public List<string>? ImagePullSecrets { get; set; }

    [Description("CPU and memory requests and limits of a trainer pod; nvidia.com/gpu is set from gpusPerNode.")]
    public V1ResourceRequirements? Resources { get; set; }

    [Description("Size of the /dev/shm memory volume (NCCL and data loaders need more than the container default).")]
    [DefaultValueJson("\"64Gi\"")]
    public string? ShmSize { get; set; }

    [Description("Port of the rendezvous (MASTER_PORT) on pod 0.")]
    [Minimum(1)]
    [Maximum(65535)]
    [DefaultValueJson("29500")]
    public int? MasterPort { get; set; }

    [Description("NCCL settings passed to every trainer process.")]
    public NcclSpec? Nccl { get; set; }

    [Description("Gang scheduling and placement.")]
    public SchedulingSpec? Scheduling { get; set; }

    [Description("Extra environment variables for the trainer container.")]
    public List<V1EnvVar>? Env { get; set; }
}

[Description("NCCL settings; each becomes an NCCL_* environment variable.")]
public sealed class NcclSpec
{
    [Description("NCCL_SOCKET_IFNAME: network interface(s) for bootstrap and socket transport, for example eth0.")]
    public string? SocketInterface { get; set; }

    [Description("NCCL_IB_HCA: InfiniBand/RoCE adapters to use, for example mlx5_0,mlx5_1.")]
    public string? IbHca { get; set; }

    [Description("NCCL_DEBUG: VERSION, WARN, INFO or TRACE.")]
    public string? Debug { get; set; }

    [Description("Extra NCCL_* (or other) variables, for example NCCL_IB_GID_INDEX.")]
    public Dictionary<string, string>? ExtraEnv { get; set; }
}

[Description("How the gang is scheduled and placed.")]
public sealed class SchedulingSpec
{
    [Description("Gang scheduler: Coscheduling (scheduler-plugins PodGroup), Volcano (Volcano PodGroup) or None.")]
    [DefaultValueJson("\"Coscheduling\"")]
    public GangScheduler Gang { get; set; } = GangScheduler.Coscheduling;

    [Description("schedulerName of the trainer pods (for example scheduler-plugins-scheduler or volcano); defaults by gang scheduler.")]
    public string? SchedulerName { get; set; }

    [Description("priorityClassName of the trainer pods.")]
    public string? PriorityClassName { get; set; }

    [Description("Kueue LocalQueue name; sets the kueue.x-k8s.io/queue-name label (Volcano: the PodGroup queue).")]
    public string? Queue { get; set; }

    [Description("Node label whose value names a network block (for example a rack or leaf switch). When set, all nodes of one model replica (one DP index) are placed in one block.")]
    public string? TopologyKey { get; set; }

    [Description("Seconds the gang may wait to be scheduled as a whole (PodGroup scheduleTimeoutSeconds).")]
    [Minimum(1)]
    public int? ScheduleTimeoutSeconds { get; set; }

    [Description("Node selector of the trainer pods.")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    [Description("Tolerations of the trainer pods.")]
    public List<V1Toleration>? Tolerations { get; set; }
}

public enum GangScheduler
{
    Coscheduling,
    Volcano,
    None,
}
