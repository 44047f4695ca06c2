using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Defaults;

/// <summary>
/// The few defaults the planner and renderer need, in one place until the job resolver (branch api) fills
/// them into the spec; then these fall back only for specs that were never resolved. Values match the
/// [DefaultValueJson] attributes of the API types.
/// </summary>
internal static class SpecDefaults
{
    public static string Namespace(LlamaTrainingJob job) => job.Metadata.NamespaceProperty ?? "default";

    public static double GpuMemoryGiB(ClusterSpec cluster) => cluster.GpuMemoryGiB ?? 80;

    public static int MasterPort(ClusterSpec cluster) => cluster.MasterPort ?? 29500;

    public static string ShmSize(ClusterSpec cluster) => cluster.ShmSize ?? "64Gi";

    public static int MicroBatchSize(StageSpec stage) => stage.MicroBatchSize ?? 1;

    public static GangScheduler Gang(ClusterSpec cluster) => cluster.Scheduling?.Gang ?? GangScheduler.Coscheduling;

    /// <summary>The scheduler that understands the chosen PodGroup kind; null keeps the cluster's default scheduler.</summary>
    public static string? SchedulerName(ClusterSpec cluster) => cluster.Scheduling?.SchedulerName ?? Gang(cluster) switch
    {
        GangScheduler.Coscheduling => "scheduler-plugins-scheduler",
        GangScheduler.Volcano => "volcano",
        _ => null,
    };
}
