using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Observation;
using Serilog;

namespace LlamaOperator.Operator.Actions;

/// <summary>
/// Performs a decision's API writes, exactly as the actions carry them: it renders and decides nothing. Creates are
/// create-if-missing (objects the cache already shows are not written again, AlreadyExists counts as done), deletes
/// are delete-if-present (NotFound counts as done), a repair is a replace conditional on the observed
/// resourceVersion (a 409 Conflict is thrown: the reconcile is retried on a fresh observation).
/// </summary>
public sealed class ActionExecutor(IKubernetes client, ClusterCaches caches, int parallelCreates = 16)
{
    /// <param name="job">The job as stored (its namespace and name).</param>
    public async Task ExecuteAsync(LlamaTrainingJob job, IReadOnlyList<LifecycleAction> actions, ILogger log, CancellationToken cancellationToken)
    {
        var ns = job.Metadata.NamespaceProperty;
        foreach (var action in actions)
        {
            log.Debug("Executing {Action}", action.GetType().Name);
            switch (action)
            {
                case CreateStageObjects create:
                    await CreateStageAsync(ns, create, log, cancellationToken);
                    break;
                case RepairStageObject repair:
                    await RepairAsync(ns, repair.Object, cancellationToken);
                    log.Information("Repaired {Kind} {Name} of stage {RepairedStage} (it had been {Change}: back as rendered from the spec)", repair.Object.Kind, repair.Object.Metadata.Name, repair.Stage, repair.Object.Metadata.ResourceVersion is null ? "deleted" : "changed");
                    break;
                case DeleteGang gang:
                    await DeletePodsAsync(ns, Selector(job.Metadata.Name, gang.Stage), null, cancellationToken);
                    log.Information("Deleted the gang of stage {GangStage}", gang.Stage);
                    break;
                case DeleteStageObjects stage:
                    await DeleteStageObjectsAsync(ns, job.Metadata.Name, stage.Stage, cancellationToken);
                    log.Information("Deleted the objects of stage {OldStage}", stage.Stage);
                    break;
                case ForceDeletePod force:
                    await DeletePodsAsync(ns, null, force.Name, cancellationToken);
                    log.Warning("Force-deleted pod {Pod}", force.Name);
                    break;
                case CreateAveragingPod averaging:
                    await CreateAveragingAsync(ns, averaging.Objects, log, cancellationToken);
                    break;
                case DeleteJob:
                    await ApiErrors.IgnoreAsync(
                        () => client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, ns, ApiGroup.Plural, job.Metadata.Name, propagationPolicy: "Background", cancellationToken: cancellationToken),
                        ApiErrors.IsNotFound);
                    log.Information("Deleted the job (ttlSecondsAfterFinished elapsed)");
                    break;
                default:
                    throw new NotSupportedException($"The shell cannot perform {action.GetType().Name}.");
            }
        }
    }

    private async Task CreateStageAsync(string ns, CreateStageObjects create, ILogger log, CancellationToken cancellationToken)
    {
        var rendered = create.Objects;
        if (rendered.PodGroup is { } group && !caches.PodGroups.Any(c => c.Cache.Get(ns, group.Metadata.Name) is not null))
        {
            await CreateAsync(() => PodGroupAsync(group, ns, replace: false, cancellationToken));
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

    /// <summary>
    /// A create of a deleted object (AlreadyExists: done), or a replace conditional on the observed resourceVersion
    /// (NotFound: deleted meanwhile, a later reconcile re-creates it).
    /// </summary>
    private async Task RepairAsync(string ns, IKubernetesObject<V1ObjectMeta> repaired, CancellationToken cancellationToken)
    {
        if (repaired.Metadata.ResourceVersion is null)
        {
            await CreateAsync(() => repaired switch
            {
                V1ConfigMap configMap => (Task)client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: cancellationToken),
                V1Service service => client.CoreV1.CreateNamespacedServiceAsync(service, ns, cancellationToken: cancellationToken),
                PodGroup group => PodGroupAsync(group, ns, replace: false, cancellationToken),
                _ => throw new NotSupportedException($"The shell cannot create a {repaired.Kind}."),
            });
            return;
        }

        await ApiErrors.IgnoreAsync(
            () => repaired switch
            {
                V1ConfigMap configMap => (Task)client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, ns, cancellationToken: cancellationToken),
                V1Service service => client.CoreV1.ReplaceNamespacedServiceAsync(service, service.Metadata.Name, ns, cancellationToken: cancellationToken),
                PodGroup group => PodGroupAsync(group, ns, replace: true, cancellationToken),
                _ => throw new NotSupportedException($"The shell cannot repair a {repaired.Kind}."),
            },
            ApiErrors.IsNotFound);
    }

    private Task<object> PodGroupAsync(PodGroup group, string ns, bool replace, CancellationToken cancellationToken)
    {
        var (apiGroup, version) = group.ApiGroupAndVersion();
        return replace
            ? client.CustomObjects.ReplaceNamespacedCustomObjectAsync(group, apiGroup, version, ns, "podgroups", group.Metadata.Name, cancellationToken: cancellationToken)
            : client.CustomObjects.CreateNamespacedCustomObjectAsync(group, apiGroup, version, ns, "podgroups", cancellationToken: cancellationToken);
    }

    private async Task CreateAveragingAsync(string ns, RenderedAveraging averaging, ILogger log, CancellationToken cancellationToken)
    {
        if (caches.ConfigMaps.Get(ns, averaging.ConfigMap.Metadata.Name) is null)
        {
            await CreateAsync(() => client.CoreV1.CreateNamespacedConfigMapAsync(averaging.ConfigMap, ns, cancellationToken: cancellationToken));
        }

        if (await CreateAsync(() => client.CoreV1.CreateNamespacedPodAsync(averaging.Pod, ns, cancellationToken: cancellationToken)))
        {
            log.Information("Created the averaging pod {Pod}", averaging.Pod.Metadata.Name);
        }
    }

    private async Task DeleteStageObjectsAsync(string ns, string job, string stage, CancellationToken cancellationToken)
    {
        await DeletePodsAsync(ns, Selector(job, stage), null, cancellationToken);
        foreach (var service in caches.Services.ByIndex(JobIndex.Name, JobIndex.Key(ns, job)).Where(s => Labels.Value(s, TrainerLabels.Stage) == stage))
        {
            await ApiErrors.IgnoreAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(service.Metadata.Name, ns, cancellationToken: cancellationToken), ApiErrors.IsNotFound);
        }

        foreach (var configMap in caches.ConfigMaps.ByIndex(JobIndex.Name, JobIndex.Key(ns, job)).Where(s => Labels.Value(s, TrainerLabels.Stage) == stage))
        {
            await ApiErrors.IgnoreAsync(() => client.CoreV1.DeleteNamespacedConfigMapAsync(configMap.Metadata.Name, ns, cancellationToken: cancellationToken), ApiErrors.IsNotFound);
        }

        foreach (var kind in caches.PodGroups)
        {
            foreach (var group in kind.Cache.ByIndex(JobIndex.Name, JobIndex.Key(ns, job)).Where(g => Labels.Value(g, TrainerLabels.Stage) == stage))
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
