using k8s;
using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// An API write the shell performs for a decision, carrying everything it writes: the shell executes it and decides
/// nothing. Every action is safe to repeat (create-if-missing, delete-if-present, a conditional replace).
/// </summary>
public abstract record LifecycleAction;

/// <summary>
/// Create the missing objects of a stage's gang (Service, ConfigMap, PodGroup, the pods), as rendered from the
/// effective job: the gang of the given LongContext length, resuming from ResumeFromUri (null: from scratch), its
/// pods carrying GangGeneration (status.gangGeneration) as LLAMA_GANG_GENERATION.
/// </summary>
public sealed record CreateStageObjects(string Stage, int LengthIndex, string? ResumeFromUri, long GangGeneration, RenderedStage Objects) : LifecycleAction;

/// <summary>
/// Put a stage's Service, ConfigMap or PodGroup back as rendered: with a resourceVersion, Object is the edited object
/// with the fields the operator sets as rendered, replaced on that version only; without, it was deleted while the
/// gang runs and is created.
/// </summary>
public sealed record RepairStageObject(string Stage, IKubernetesObject<V1ObjectMeta> Object) : LifecycleAction;

/// <summary>Delete every pod of a stage's gang; the pods' SIGTERM handling writes a checkpoint.</summary>
public sealed record DeleteGang(string Stage) : LifecycleAction;

/// <summary>Delete all objects of a stage that is over: pods, Service, ConfigMap and PodGroup.</summary>
public sealed record DeleteStageObjects(string Stage) : LifecycleAction;

/// <summary>Delete a pod with grace period 0: it is stuck Terminating on a node that is lost, whose kubelet will never confirm.</summary>
public sealed record ForceDeletePod(string Name) : LifecycleAction;

/// <summary>Create the one-pod checkpoint-averaging step (its ConfigMap and the pod running llama-train average ...).</summary>
public sealed record CreateAveragingPod(RenderedAveraging Objects) : LifecycleAction;

/// <summary>Delete the job itself (ttlSecondsAfterFinished elapsed); owner references take its children with it.</summary>
public sealed record DeleteJob : LifecycleAction;
