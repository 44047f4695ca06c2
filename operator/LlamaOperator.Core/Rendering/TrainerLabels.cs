namespace LlamaOperator.Core.Rendering;

/// <summary>Label and annotation keys the trainer pods carry, ours and the ones schedulers read.</summary>
public static class TrainerLabels
{
    public const string AppName = "app.kubernetes.io/name";
    public const string AppNameValue = "llama-trainer";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "llamaoperator";
    public const string Job = "llamaoperator.dev/job";
    public const string Stage = "llamaoperator.dev/stage";
    public const string NodeRank = "llamaoperator.dev/node-rank";

    /// <summary>Marks the job's one-off pods that belong to no stage; the checkpoint-averaging pod has role averaging.</summary>
    public const string Role = "llamaoperator.dev/role";
    public const string AveragingRole = "averaging";

    /// <summary>DP replica of the node's first rank (a node may hold several replicas when tp*cp*pp &lt; gpusPerNode).</summary>
    public const string DpReplica = "llamaoperator.dev/dp-replica";

    /// <summary>scheduler-plugins coscheduling: a pod joins its PodGroup by this label.</summary>
    public const string CoschedulingPodGroup = "scheduling.x-k8s.io/pod-group";

    /// <summary>Volcano: a pod joins its PodGroup by this annotation.</summary>
    public const string VolcanoGroupName = "scheduling.k8s.io/group-name";

    public const string KueueQueueName = "kueue.x-k8s.io/queue-name";

    /// <summary>Kueue plain-pod groups: without them Kueue would admit each pod of the gang on its own.</summary>
    public const string KueuePodGroupName = "kueue.x-k8s.io/pod-group-name";

    public const string KueuePodGroupTotalCount = "kueue.x-k8s.io/pod-group-total-count";
}
