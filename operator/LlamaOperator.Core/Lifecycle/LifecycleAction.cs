namespace LlamaOperator.Core.Lifecycle;

/// <summary>An API write the shell performs for a decision. Every action is safe to repeat (create-if-missing, delete-if-present).</summary>
public abstract record LifecycleAction;

/// <summary>
/// Render and create the missing objects of a stage (Service, ConfigMap, PodGroup, the gang's pods) for the given
/// LongContext length, resuming from ResumeFromUri (null: from scratch); the pods carry GangGeneration
/// (status.gangGeneration) as LLAMA_GANG_GENERATION.
/// </summary>
public sealed record CreateStageObjects(int StageIndex, string Stage, int LengthIndex, string? ResumeFromUri, long GangGeneration) : LifecycleAction;

/// <summary>Delete every pod of a stage's gang; the pods' SIGTERM handling writes a checkpoint.</summary>
public sealed record DeleteGang(string Stage) : LifecycleAction;

/// <summary>Delete all objects of a stage that is over: pods, Service, ConfigMap and PodGroup.</summary>
public sealed record DeleteStageObjects(string Stage) : LifecycleAction;

/// <summary>Delete a pod with grace period 0: it is stuck Terminating on a node that is lost, whose kubelet will never confirm.</summary>
public sealed record ForceDeletePod(string Name) : LifecycleAction;

/// <summary>Create the one-pod checkpoint-averaging step running Command (llama-train average ...).</summary>
public sealed record CreateAveragingPod(IReadOnlyList<string> Command) : LifecycleAction;

/// <summary>Delete the job itself (ttlSecondsAfterFinished elapsed); owner references take its children with it.</summary>
public sealed record DeleteJob : LifecycleAction;
