using k8s.Models;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>Where the trainer pods run, with defaults applied; Kubernetes types are passed through.</summary>
public sealed record ResolvedCluster(
    int GpusPerNode,
    double GpuMemoryGiB,
    double? PeakTflopsPerGpu,
    string Image,
    string? ImagePullPolicy,
    IReadOnlyList<string> ImagePullSecrets,
    V1ResourceRequirements? Resources,
    string ShmSize,
    int MasterPort,
    ResolvedNccl Nccl,
    ResolvedScheduling Scheduling,
    IReadOnlyList<V1EnvVar> Env);

public sealed record ResolvedNccl(string? SocketInterface, string? IbHca, string? Debug, IReadOnlyDictionary<string, string> ExtraEnv);

public sealed record ResolvedScheduling(
    GangScheduler Gang,
    string? SchedulerName,
    string? PriorityClassName,
    string? Queue,
    string? TopologyKey,
    int? ScheduleTimeoutSeconds,
    IReadOnlyDictionary<string, string> NodeSelector,
    IReadOnlyList<V1Toleration> Tolerations);
