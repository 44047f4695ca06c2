using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Informers;

/// <summary>Ready-made lister-watchers over KubernetesClient for custom resources and common built-ins.</summary>
public static class ListerWatchers
{
    /// <summary>A custom resource, through the CustomObjects API (group/version/plural).</summary>
    public static IListerWatcher<T> CustomResource<T>(IKubernetes client, string group, string version, string plural, string? @namespace = null, string? labelSelector = null)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        return new KubernetesListerWatcher<T, ResourceList<T>>(
            (r, ct) => r.Namespace is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                    group, version, plural, allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                    labelSelector: r.LabelSelector, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                    cancellationToken: ct)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                    group, version, r.Namespace, plural, allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector,
                    labelSelector: r.LabelSelector, limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch,
                    cancellationToken: ct),
            new ListRequest { Namespace = @namespace, LabelSelector = labelSelector });
    }

    public static IListerWatcher<V1Pod> Pods(IKubernetes client, string? @namespace = null, string? labelSelector = null) =>
        new KubernetesListerWatcher<V1Pod, V1PodList>(
            (r, ct) => r.Namespace is null
                ? client.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct)
                : client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
                    r.Namespace, allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct),
            new ListRequest { Namespace = @namespace, LabelSelector = labelSelector });

    public static IListerWatcher<V1Service> Services(IKubernetes client, string? @namespace = null, string? labelSelector = null) =>
        new KubernetesListerWatcher<V1Service, V1ServiceList>(
            (r, ct) => r.Namespace is null
                ? client.CoreV1.ListServiceForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct)
                : client.CoreV1.ListNamespacedServiceWithHttpMessagesAsync(
                    r.Namespace, allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct),
            new ListRequest { Namespace = @namespace, LabelSelector = labelSelector });

    public static IListerWatcher<V1ConfigMap> ConfigMaps(IKubernetes client, string? @namespace = null, string? labelSelector = null) =>
        new KubernetesListerWatcher<V1ConfigMap, V1ConfigMapList>(
            (r, ct) => r.Namespace is null
                ? client.CoreV1.ListConfigMapForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct)
                : client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(
                    r.Namespace, allowWatchBookmarks: r.AllowWatchBookmarks, continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
                    limit: r.Limit, resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, watch: r.Watch, cancellationToken: ct),
            new ListRequest { Namespace = @namespace, LabelSelector = labelSelector });
}
