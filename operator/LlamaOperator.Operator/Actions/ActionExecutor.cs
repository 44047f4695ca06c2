using k8s;
using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Observation;
using Serilog;

namespace LlamaOperator.Operator.Actions;

/// <summary>
/// Performs a decision's API writes. Every action is create-if-missing or delete-if-present: objects the cache
/// already shows are not written again, and AlreadyExists / NotFound answers count as done. Every created object
/// is owned by the job (controller owner reference), so deleting the job deletes it.
/// </summary>
public sealed class ActionExecutor(IKubernetes client, ClusterCaches caches, int parallelCreates = 16)
{
    /// <param name="job">The job as stored.</param>
    /// <param name="resolved">The job's effective form (the running stage pinned), as the decision saw it.</param>
    /// <param name="status">The decided status (the averaging step reads its stage from it).</param>
    public async Task ExecuteAsync(LlamaTrainingJob job, ResolvedJob resolved, LlamaTrainingJobStatus status, IReadOnlyList<LifecycleAction> actions, ILogger log, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            log.Debug("Executing {Action}", action);
            switch (action)
            {
                case CreateStageObjects create:
                    await CreateStageAsync(job, resolved, create, log, cancellationToken);
                    break;
                case DeleteGang gang:
                    await DeletePodsAsync(resolved.Namespace, Selector(resolved.Name, gang.Stage), null, cancellationToken);
                    log.Information("Deleted the gang of stage {GangStage}", gang.Stage);
                    break;
                case DeleteStageObjects stage:
                    await DeleteStageObjectsAsync(resolved, stage.Stage, cancellationToken);
                    log.Information("Deleted the objects of stage {OldStage}", stage.Stage);
                    break;
                case ForceDeletePod force:
                    await DeletePodsAsync(resolved.Namespace, null, force.Name, cancellationToken);
                    log.Warning("Force-deleted pod {Pod}", force.Name);
                    break;
                case CreateAveragingPod averaging:
                    await CreateAveragingAsync(job, resolved, status, averaging, log, cancellationToken);
                    break;
                case DeleteJob:
                    await ApiErrors.IgnoreAsync(
                        () => client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, resolved.Namespace, ApiGroup.Plural, resolved.Name, propagationPolicy: "Background", cancellationToken: cancellationToken),
                        ApiErrors.IsNotFound);
                    log.Information("Deleted the job (ttlSecondsAfterFinished elapsed)");
                    break;
                default:
                    throw new NotSupportedException($"The shell cannot perform {action.GetType().Name}.");
            }
        }
    }

    private async Task CreateStageAsync(LlamaTrainingJob job, ResolvedJob resolved, CreateStageObjects create, ILogger log, CancellationToken cancellationToken)
    {
        // The trainer reads the manifest from the ConfigMap: give it the effective spec, the running stage as it started.
        var effective = RunningStagePin.EffectiveJob(job);
        var rendered = StageRenderer.Render(effective, resolved, StagePlanner.Plan(resolved, create.Stage), create.LengthIndex, create.GangGeneration);
        var ns = resolved.Namespace;
        if (rendered.PodGroup is { } group && !caches.PodGroups.Any(c => c.Cache.Get(ns, group.Metadata.Name) is not null))
        {
            var (apiGroup, version) = group.ApiGroupAndVersion();
            await CreateAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(group, apiGroup, version, ns, "podgroups", cancellationToken: cancellationToken));
        }

        if (caches.ConfigMaps.Get(ns, rendered.ConfigMap.Metadata.Name) is null)
        {
            await CreateAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(rendered.ConfigMap, ns, cancellationToken: cancellationToken));
        }

        if (caches.Services.Get(ns, rendered.Service.Metadata.Name) is null)
        {
            await CreateAsync(() => client.CoreV1.CreateNamespacedServiceAsync(rendered.Service, ns, cancellationToken: cancellationToken));
        }

        // The cache may lag behind creates of a moment ago: those answer AlreadyExists and are not counted.
        var missing = rendered.Pods.Where(p => caches.Pods.Get(ns, p.Metadata.Name) is null).ToList();
        var created = 0;
        await Parallel.ForEachAsync(
            missing,
            new ParallelOptions { MaxDegreeOfParallelism = parallelCreates, CancellationToken = cancellationToken },
            async (pod, ct) =>
            {
                if (await CreateAsync(() => client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: ct)))
                {
                    Interlocked.Increment(ref created);
                }
            });
        if (created > 0)
        {
            log.Information(
                "Created {Pods} pods of stage {GangStage} (length index {LengthIndex}, gang generation {GangGeneration}; the trainer resumes from the newest committed checkpoint, now {ResumeFrom})",
                created, create.Stage, create.LengthIndex, create.GangGeneration, create.ResumeFromUri ?? "none");
        }
    }

    private async Task CreateAveragingAsync(LlamaTrainingJob job, ResolvedJob resolved, LlamaTrainingJobStatus status, CreateAveragingPod averaging, ILogger log, CancellationToken cancellationToken)
    {
        var stage = status.Stage?.Name ?? resolved.Stages.Last(s => s.Averaging is not null).Name;
        var (configMap, pod) = AveragingPodRenderer.Render(RunningStagePin.EffectiveJob(job), resolved, StagePlanner.Plan(resolved, stage), averaging.Command);
        var ns = resolved.Namespace;
        if (caches.ConfigMaps.Get(ns, configMap.Metadata.Name) is null)
        {
            await CreateAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: cancellationToken));
        }

        if (await CreateAsync(() => client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken)))
        {
            log.Information("Created the averaging pod {Pod}", pod.Metadata.Name);
        }
    }

    private async Task DeleteStageObjectsAsync(ResolvedJob resolved, string stage, CancellationToken cancellationToken)
    {
        var ns = resolved.Namespace;
        var selector = Selector(resolved.Name, stage);
        await DeletePodsAsync(ns, selector, null, cancellationToken);
        foreach (var service in caches.Services.ByIndex(JobIndex.Name, JobIndex.Key(ns, resolved.Name)).Where(s => Labels.Value(s, TrainerLabels.Stage) == stage))
        {
            await ApiErrors.IgnoreAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(service.Metadata.Name, ns, cancellationToken: cancellationToken), ApiErrors.IsNotFound);
        }

        foreach (var configMap in caches.ConfigMaps.ByIndex(JobIndex.Name, JobIndex.Key(ns, resolved.Name)).Where(s => Labels.Value(s, TrainerLabels.Stage) == stage))
        {
            await ApiErrors.IgnoreAsync(() => client.CoreV1.DeleteNamespacedConfigMapAsync(configMap.Metadata.Name, ns, cancellationToken: cancellationToken), ApiErrors.IsNotFound);
        }

        foreach (var kind in caches.PodGroups)
        {
            foreach (var group in kind.Cache.ByIndex(JobIndex.Name, JobIndex.Key(ns, resolved.Name)).Where(g => Labels.Value(g, TrainerLabels.Stage) == stage))
            {
                await ApiErrors.IgnoreAsync(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(kind.Group, kind.Version, ns, "podgroups", group.Metadata.Name, cancellationToken: cancellationToken), ApiErrors.IsNotFound);
            }
        }
    }

    /// <summary>A stage's pods by label in one deletecollection call, or one pod by name with grace 0 (force).</summary>
    private Task DeletePodsAsync(string ns, string? selector, string? forceName, CancellationToken cancellationToken) =>
        forceName is not null
            ? ApiErrors.IgnoreAsync(() => client.CoreV1.DeleteNamespacedPodAsync(forceName, ns, gracePeriodSeconds: 0, cancellationToken: cancellationToken), ApiErrors.IsNotFound)
            : client.CoreV1.DeleteCollectionNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);

    private static string Selector(string job, string stage) => $"{TrainerLabels.Job}={job},{TrainerLabels.Stage}={stage}";

    /// <summary>Creates unless the object exists; returns whether this call created it.</summary>
    private static async Task<bool> CreateAsync(Func<Task> create)
    {
        try
        {
            await create();
            return true;
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            return false;
        }
    }
}
