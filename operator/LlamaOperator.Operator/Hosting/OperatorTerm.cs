using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Actions;
using LlamaOperator.Operator.Metrics;
using LlamaOperator.Operator.Observation;
using LlamaOperator.Operator.Progress;
using LlamaOperator.Operator.Reconciling;
using LlamaOperator.Operator.Status;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Controllers;
using LlamaOperator.Runtime.Events;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Queue;
using Prometheus;
using Serilog;

namespace LlamaOperator.Operator.Hosting;

/// <summary>
/// Builds what runs during one leader term: informers for jobs, their labelled pods, services, configmaps and
/// PodGroups (each installed kind) and nodes (when listable), one work queue keyed by job, the job controller and
/// the event recorder. Fresh per term, so a new leader starts from a full list.
/// </summary>
internal static class OperatorTerm
{
    public const string ControllerName = "llamatrainingjob";

    public static async Task<ControllerSet> BuildAsync(IKubernetes client, OperatorOptions options, ReadinessGate readiness, JobMetrics jobMetrics, IMetricFactory metrics, ILogger log, CancellationToken cancellationToken)
    {
        var ns = options.Namespace;
        var informerOptions = new InformerOptions { Logger = log };
        var set = new ControllerSet(readiness, log);
        var jobs = set.Add(new Informer<LlamaTrainingJob>("llamatrainingjobs", ListerWatchers.CustomResource<LlamaTrainingJob>(client, ApiGroup.Group, ApiGroup.Version, ApiGroup.Plural, ns), informerOptions));
        var pods = set.Add(new Informer<V1Pod>("pods", ListerWatchers.Pods(client, ns, TrainerLabels.Job), informerOptions));
        var services = set.Add(new Informer<V1Service>("services", ListerWatchers.Services(client, ns, TrainerLabels.Job), informerOptions));
        var configMaps = set.Add(new Informer<V1ConfigMap>("configmaps", ListerWatchers.ConfigMaps(client, ns, TrainerLabels.Job), informerOptions));

        var podGroups = new List<(PodGroupCache Cache, Informer<PodGroup> Informer)>();
        foreach (var apiVersion in new[] { PodGroup.CoschedulingApiVersion, PodGroup.VolcanoApiVersion })
        {
            var (group, version) = (apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)], apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            if (await OptionalKind.IsServedAsync($"{apiVersion} PodGroups", ct => ListOnePodGroupAsync(client, group, version, ns, ct), log, cancellationToken))
            {
                var informer = set.Add(new Informer<PodGroup>($"podgroups.{group}", ListerWatchers.CustomResource<PodGroup>(client, group, version, "podgroups", ns, TrainerLabels.Job), informerOptions));
                podGroups.Add((new PodGroupCache(apiVersion, informer.Cache), informer));
            }
        }

        Informer<V1Node>? nodes = null;
        if (await OptionalKind.IsServedAsync("nodes (lost-node detection)", ct => client.CoreV1.ListNodeAsync(limit: 1, cancellationToken: ct), log, cancellationToken))
        {
            nodes = set.Add(new Informer<V1Node>("nodes", Nodes(client), informerOptions));
        }

        var caches = new ClusterCaches(jobs.Cache, pods.Cache, services.Cache, configMaps.Cache, [.. podGroups.Select(p => p.Cache)], nodes?.Cache);
        caches.AddIndexes();

        var queue = new WorkQueue<ObjectKey>(ControllerName, new WorkQueueOptions<ObjectKey> { Metrics = new WorkQueueMetrics(metrics) });
        jobs.AddEventHandler(new EnqueueHandler<LlamaTrainingJob>(queue, KeyMappers.Self, UpdateFilters.GenerationChanged));
        var byJobLabel = KeyMappers.LabelValue(TrainerLabels.Job);
        pods.AddEventHandler(new EnqueueHandler<V1Pod>(queue, byJobLabel, UpdateFilters.ResourceVersionChanged));
        services.AddEventHandler(new EnqueueHandler<V1Service>(queue, byJobLabel, UpdateFilters.ResourceVersionChanged));
        configMaps.AddEventHandler(new EnqueueHandler<V1ConfigMap>(queue, byJobLabel, UpdateFilters.ResourceVersionChanged));
        foreach (var (_, informer) in podGroups)
        {
            // PodGroup status (scheduled/running counts) changes often and tells the lifecycle nothing: only what the operator renders matters.
            informer.AddEventHandler(new EnqueueHandler<PodGroup>(queue, byJobLabel, RenderedFieldsChanged));
        }

        nodes?.AddEventHandler(new NodeReadinessHandler(queue, pods.Cache));

        var recorder = new EventRecorder(new KubernetesEventSink(client), new EventRecorderOptions { Component = "llama-operator", Host = options.Identity, MetricFactory = metrics, Logger = log });
        var settings = options.Reconciler;
        var progress = new ProgressPoller(client, settings.ProgressPollInterval, settings.StorageRetry, settings.StorageTimeout, queue.Add, log);
        var reconciler = new JobReconciler(
            caches,
            progress,
            new ActionExecutor(client, caches),
            new StatusWriter(client),
            recorder,
            jobMetrics,
            settings,
            log);
        set.Add(new Controller<ObjectKey>(ControllerName, queue, reconciler, new ControllerOptions { Workers = options.Workers, Metrics = new ControllerMetrics(metrics), Logger = log, TimeProvider = settings.Time }));
        set.Add("events", recorder.RunAsync);
        set.Add("progress", progress.RunAsync);
        return set;
    }

    private static bool RenderedFieldsChanged(PodGroup old, PodGroup updated) =>
        KubernetesJson.Serialize(old.Spec) != KubernetesJson.Serialize(updated.Spec) || KubernetesJson.Serialize(old.Metadata.Labels) != KubernetesJson.Serialize(updated.Metadata.Labels);

    private static Task<object> ListOnePodGroupAsync(IKubernetes client, string group, string version, string? ns, CancellationToken cancellationToken) =>
        ns is null
            ? client.CustomObjects.ListClusterCustomObjectAsync(group, version, "podgroups", limit: 1, cancellationToken: cancellationToken)
            : client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, ns, "podgroups", limit: 1, cancellationToken: cancellationToken);

    private static KubernetesListerWatcher<V1Node, V1NodeList> Nodes(IKubernetes client) =>
        new((r, ct) => client.CoreV1.ListNodeWithHttpMessagesAsync(
            allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
            limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct));
}
