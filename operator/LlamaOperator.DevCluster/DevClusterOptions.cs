using System.Text.Json.Nodes;
using Serilog;

namespace LlamaOperator.DevCluster;

/// <summary>How to start a dev cluster. Every field has a default that gives a one-node, 8-GPU cluster.</summary>
public sealed record DevClusterOptions
{
    /// <summary>Where the kubeconfig and the pods' working folders go; a fresh temp folder when null.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    public IReadOnlyList<NodeOptions> Nodes { get; init; } = NodeOptions.Uniform(1, 8);

    /// <summary>A folder of CRD YAML/JSON files (for example the repository's crds/) loaded at start.</summary>
    public string? CrdDirectory { get; init; }

    /// <summary>Image (with or without tag) -> host argv that replaces the image's entrypoint, e.g. ["dotnet", "/x/llama-train.dll"].</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ImageMap { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>A container command[0] -> host argv, e.g. "llama-train" -> ["dotnet", "/x/llama-train.dll"]; other commands run as given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> CommandMap { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// When set, the kubelet also appends every container's output to DIR/POD_NAMESPACE_CONTAINER.log (a header line per
    /// pod start), where it stays after the pod and the cluster are gone; `kubectl logs` serves it only while the pod exists.
    /// </summary>
    public string? ContainerLogDirectory { get; init; }

    /// <summary>
    /// Mutating admission, as a webhook would do it: resource ("PLURAL.GROUP", e.g. "llamatrainingjobs.llamaoperator.dev")
    /// -> a change made to every object of it that is created or updated (patches included), before it is validated and stored.
    /// </summary>
    public IReadOnlyDictionary<string, Action<JsonObject>> Admission { get; init; } = new Dictionary<string, Action<JsonObject>>();

    public bool EnableScheduler { get; init; } = true;
    public bool EnableKubelet { get; init; } = true;

    /// <summary>Server-side end of a watch without timeoutSeconds (a real server uses 30-60 minutes).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Events kept per kind for watch resume; a watch from older than this window gets 410 Gone.</summary>
    public int WatchHistoryPerKind { get; init; } = 20_000;

    /// <summary>How long a NotReady node's pods keep running before they are failed with reason NodeLost.</summary>
    public TimeSpan NodeLostGracePeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the crash-loop back-off between container restarts (1 s doubling; a real kubelet caps at 5 min).</summary>
    public TimeSpan RestartBackoffCap { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Called with every API request the server receives (before it is served), e.g. an
    /// <see cref="Audit.AuditLog"/>'s Record; the RBAC attributes of the requests, for checking roles.
    /// </summary>
    public Action<Audit.AuditRecord>? Audit { get; init; }

    public ILogger Logger { get; init; } = Serilog.Core.Logger.None;
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
