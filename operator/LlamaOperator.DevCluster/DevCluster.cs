using k8s;
using LlamaOperator.DevCluster.Controllers;
using LlamaOperator.DevCluster.Kubelet;
using LlamaOperator.DevCluster.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Scheduling;
using LlamaOperator.DevCluster.Server;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster;

/// <summary>
/// A running embedded cluster: the API server on 127.0.0.1, the controllers (CRDs, namespaces,
/// garbage collection, node lifecycle), the gang scheduler and the process kubelet. Clients reach
/// it only over HTTP (<see cref="CreateClient"/> or the kubeconfig file).
/// </summary>
public sealed class DevCluster : IAsyncDisposable
{
    private readonly ApiServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _loops;
    private readonly ProcessKubelet? _kubelet;
    private readonly NodeLifecycleController _nodes;
    private readonly bool _ownsWorkDirectory;

    private DevCluster(ApiServer server, string workDirectory, bool ownsWorkDirectory, string kubeconfigPath, CancellationTokenSource stop, List<Task> loops, ProcessKubelet? kubelet, NodeLifecycleController nodes)
    {
        _server = server;
        WorkDirectory = workDirectory;
        _ownsWorkDirectory = ownsWorkDirectory;
        KubeconfigPath = kubeconfigPath;
        _stop = stop;
        _loops = loops;
        _kubelet = kubelet;
        _nodes = nodes;
    }

    public Uri BaseUrl => _server.BaseUrl;
    public string KubeconfigPath { get; }
    public string WorkDirectory { get; }

    public KubernetesClientConfiguration ClientConfiguration => new() { Host = BaseUrl.ToString() };

    /// <summary>A fresh KubernetesClient talking to this cluster over HTTP.</summary>
    public Kubernetes CreateClient() => new(ClientConfiguration);

    public static async Task<DevCluster> StartAsync(DevClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DevClusterOptions();
        var ownsWorkDirectory = options.WorkDirectory is null;
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "llamaop-devcluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workDirectory);
        var time = options.Time;
        var registry = new ResourceRegistry();
        foreach (var kind in BuiltInKinds.All)
        {
            registry.Register(kind);
        }
        var store = new ObjectStore(time, options.WatchHistoryPerKind, options.Admission);
        var logs = new PodLogBook(options.ContainerLogDirectory, time);
        var stop = new CancellationTokenSource();
        var crds = new CrdController(store, registry, time);
        var namespaces = new NamespaceController(store, registry);
        var gc = new GarbageCollector(store);
        var nodes = new NodeLifecycleController(store, time, options.NodeLostGracePeriod, options.Logger);
        var loops = new List<Task>
        {
            ControllerLoop.Run("crd-controller", store.Subscribe(), crds.Handle, options.Logger, stop.Token),
            ControllerLoop.Run("namespace-controller", store.Subscribe(), namespaces.Handle, options.Logger, stop.Token),
            ControllerLoop.Run("garbage-collector", store.Subscribe(), gc.Handle, options.Logger, stop.Token),
        };
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            store.Create(BuiltInKinds.Namespaces, "", new() { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = ns } });
        }
        var definitions = PodGroupCrds.All().ToList();
        if (options.CrdDirectory is { } crdDirectory)
        {
            definitions.AddRange(CrdFiles.LoadDirectory(crdDirectory));
        }
        foreach (var crd in definitions)
        {
            var created = store.Create(BuiltInKinds.CustomResourceDefinitions, "", crd);
            crds.Establish(created.ToJson());
        }
        foreach (var node in options.Nodes)
        {
            store.Create(BuiltInKinds.Nodes, "", NodeObjects.Create(node, time.GetUtcNow()));
        }
        if (options.EnableScheduler)
        {
            var scheduler = new SchedulerController(store, time, options.Logger);
            loops.Add(scheduler.Run(store.Subscribe(), stop.Token));
        }
        ProcessKubelet? kubelet = null;
        if (options.EnableKubelet)
        {
            var launcher = new ContainerLauncher(new ImageMap(options.ImageMap, options.CommandMap), store);
            kubelet = new ProcessKubelet(store, logs, new PodVolumes(store), launcher, Path.Combine(workDirectory, "pods"), options.RestartBackoffCap, time, options.Logger);
            loops.Add(ControllerLoop.Run("kubelet", store.Subscribe(), kubelet.Handle, options.Logger, stop.Token));
        }
        var server = await ApiServer.StartAsync(store, registry, logs, time, options.WatchTimeout, options.Port, options.Audit, options.Logger, cancellationToken);
        var kubeconfigPath = Path.Combine(workDirectory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfigPath, Kubeconfig.Render(server.BaseUrl), cancellationToken);
        options.Logger.Information("Dev cluster serving {Url} ({Nodes} nodes); kubeconfig {Kubeconfig}", server.BaseUrl, options.Nodes.Count, kubeconfigPath);
        return new DevCluster(server, workDirectory, ownsWorkDirectory, kubeconfigPath, stop, loops, kubelet, nodes) { Store = store };
    }

    internal ObjectStore Store { get; private init; } = null!;

    /// <summary>Fault injection: SIGKILLs a pod's container process and its process group (all containers when none is named), as an OOM kill of the main process would.</summary>
    public Task KillPodProcessAsync(string ns, string pod, string? container = null) =>
        _kubelet?.KillAsync(ns, pod, container) ?? throw new InvalidOperationException("the kubelet is disabled in this dev cluster");

    /// <summary>Fault injection: marks a node NotReady (its pods fail with reason NodeLost after the grace period) or Ready again.</summary>
    public void SetNodeReady(string node, bool ready) => _nodes.SetReady(node, ready);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_kubelet is not null)
        {
            await _kubelet.DisposeAsync();
        }
        await _server.DisposeAsync();
        Store.CompleteSubscribers();
        await Task.WhenAll(_loops);
        _stop.Dispose();
        if (_ownsWorkDirectory)
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A process may still hold a file; the temp folder is left behind.
            }
        }
    }
}
