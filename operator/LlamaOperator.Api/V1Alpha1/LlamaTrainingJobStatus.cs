using System.ComponentModel;

namespace LlamaOperator.Api.V1Alpha1;

[Description("What the operator observes: phase, stage, progress, checkpoints, restarts and conditions.")]
public sealed class LlamaTrainingJobStatus
{
    [Description("Pending, Scheduling, Running, Restarting, Suspended, Averaging, Succeeded or Failed.")]
    public JobPhase? Phase { get; set; }

    [Description("The generation of the spec this status was computed from.")]
    public long? ObservedGeneration { get; set; }

    [Description("The stage now running.")]
    public StageStatus? Stage { get; set; }

    [Description("Training progress from the trainer's heartbeat and checkpoint manifest.")]
    public ProgressStatus? Progress { get; set; }

    [Description("The newest committed checkpoint: the resume point after a restart.")]
    public CheckpointStatus? LatestCheckpoint { get; set; }

    [Description("Gang restarts, kept on the job so that they survive re-creation of pods.")]
    public RestartStatus? Restarts { get; set; }

    [Description("Counts the gangs created for the job (each stage start, restart, resume and LongContext length): the pods get it as LLAMA_GANG_GENERATION, so every gang's rendezvous differs from the one before.")]
    public long? GangGeneration { get; set; }

    [Description("The parallel layout of the current stage.")]
    public TopologyStatus? Topology { get; set; }

    [Description("Conditions in the Kubernetes API conventions (Ready, Progressing, Suspended, Complete, Failed, SpecRejected).")]
    public List<JobCondition>? Conditions { get; set; }

    [Description("Location of the final (averaged) model once the job succeeded.")]
    public string? FinalModel { get; set; }

    [Description("When the job first started running.")]
    public DateTime? StartTime { get; set; }

    [Description("When the job finished (Succeeded or Failed).")]
    public DateTime? CompletionTime { get; set; }
}

public enum JobPhase
{
    Pending,
    Scheduling,
    Running,
    Restarting,
    Suspended,
    Averaging,
    Succeeded,
    Failed,
}

[Description("The current stage.")]
public sealed class StageStatus
{
    [Description("Index in spec.stages.")]
    public int Index { get; set; }

    [Description("Stage name.")]
    public string Name { get; set; } = "";

    [Description("Stage type.")]
    public StageType Type { get; set; }

    [Description("Sequence length now trained.")]
    public int? SequenceLength { get; set; }

    [Description("LongContext: index of the current length in sequenceLengths.")]
    public int? LengthIndex { get; set; }

    [Description("Tokens consumed in this stage (or in this LongContext length).")]
    public long? Tokens { get; set; }

    [Description("When the stage (or length) started.")]
    public DateTime? StartTime { get; set; }

    [Description("The stage's spec as it was when the stage started: edits of the running stage never reach its gang (restarts included); edits of the stage list apply from the next stage.")]
    public StageSpec? StartedWith { get; set; }
}

[Description("Training progress.")]
public sealed class ProgressStatus
{
    [Description("Optimizer steps done over the whole job.")]
    public long? Step { get; set; }

    [Description("Tokens consumed over the whole job.")]
    public long? Tokens { get; set; }

    [Description("Training loss at the last reported step, as a decimal string.")]
    public string? Loss { get; set; }

    [Description("Training throughput, tokens per second over the whole gang.")]
    public long? TokensPerSecond { get; set; }

    [Description("Model FLOPs utilisation in percent, as a decimal string.")]
    public string? Mfu { get; set; }

    [Description("Estimated time to the end of the current stage, in seconds.")]
    public long? EtaSeconds { get; set; }

    [Description("When the trainer last reported (heartbeat time).")]
    public DateTime? LastHeartbeatTime { get; set; }
}

[Description("A committed checkpoint.")]
public sealed class CheckpointStatus
{
    [Description("Location of the checkpoint (its manifest's folder).")]
    public string Uri { get; set; } = "";

    [Description("Step at which it was taken.")]
    public long Step { get; set; }

    [Description("Tokens consumed when it was taken.")]
    public long Tokens { get; set; }

    [Description("Stage it belongs to.")]
    public string Stage { get; set; } = "";

    [Description("When it was committed.")]
    public DateTime? Time { get; set; }
}

[Description("Restart counters.")]
public sealed class RestartStatus
{
    [Description("All gang restarts.")]
    public int Total { get; set; }

    [Description("Restarts counted against failurePolicy.maxRestarts (infrastructure failures are not counted).")]
    public int Counted { get; set; }

    [Description("Restarts by reason (PodFailed, Hang, Infrastructure, ...).")]
    public Dictionary<string, int>? ByReason { get; set; }

    [Description("Consecutive restarts without progress, for the backoff.")]
    public int? Consecutive { get; set; }

    [Description("When the last restart happened.")]
    public DateTime? LastRestartTime { get; set; }
}

[Description("The 4D layout of the current stage.")]
public sealed class TopologyStatus
{
    [Description("GPUs (processes) in the gang.")]
    public long WorldSize { get; set; }

    [Description("Pods (nodes) in the gang.")]
    public long Nodes { get; set; }

    [Description("Tensor-parallel degree.")]
    public int Tp { get; set; }

    [Description("Context-parallel degree.")]
    public int Cp { get; set; }

    [Description("Pipeline-parallel degree.")]
    public int Pp { get; set; }

    [Description("Data-parallel degree.")]
    public int Dp { get; set; }
}

[Description("A condition as the Kubernetes API conventions define it.")]
public sealed class JobCondition
{
    [Description("Condition type, CamelCase.")]
    public string Type { get; set; } = "";

    [Description("True, False or Unknown.")]
    public string Status { get; set; } = "Unknown";

    [Description("Machine-readable CamelCase reason for the last transition.")]
    public string? Reason { get; set; }

    [Description("Human-readable detail.")]
    public string? Message { get; set; }

    [Description("When the status last changed.")]
    public DateTime? LastTransitionTime { get; set; }

    [Description("The spec generation the condition was set from.")]
    public long? ObservedGeneration { get; set; }
}
