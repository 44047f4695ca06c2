using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;

namespace LlamaOperator.Cli.Commands;

/// <summary>
/// `llamaop bench dev-cluster`: pod creates per second over HTTP (KubernetesClient, several
/// concurrent clients) and watch fan-out latency (create sent -> seen by every watcher).
/// Scheduler and kubelet are off: this measures the API server alone.
/// </summary>
internal static class BenchDevClusterCommand
{
    public static Command Create()
    {
        var podsOption = new Option<int>("--pods") { Description = "Pods to create", DefaultValueFactory = _ => 2048 };
        var clientsOption = new Option<int>("--clients") { Description = "Concurrent KubernetesClient instances creating pods", DefaultValueFactory = _ => 4 };
        var watchersOption = new Option<int>("--watchers") { Description = "Watches on the pods", DefaultValueFactory = _ => 5 };
        var command = new Command("dev-cluster", "Benchmark the embedded dev cluster: pod creates/s and watch fan-out latency");
        command.Options.Add(podsOption);
        command.Options.Add(clientsOption);
        command.Options.Add(watchersOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var pods = parse.GetValue(podsOption);
            var clients = parse.GetValue(clientsOption);
            var watcherCount = parse.GetValue(watchersOption);
            await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { Nodes = [], EnableScheduler = false, EnableKubelet = false }, cancellationToken);
            var admin = cluster.CreateClient();
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "warmup" } }, cancellationToken: cancellationToken);
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } }, cancellationToken: cancellationToken);
            var creators = Enumerable.Range(0, clients).Select(_ => cluster.CreateClient()).ToList();
            await CreatePods(creators, "warmup", 200, new long[200], cancellationToken);

            var clock = Stopwatch.StartNew();
            var seen = new ConcurrentDictionary<string, long>[watcherCount];
            var watching = new List<Task>();
            using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var revision = (await admin.CoreV1.ListNamespacedPodAsync("bench", cancellationToken: cancellationToken)).Metadata.ResourceVersion;
            for (var w = 0; w < watcherCount; w++)
            {
                var arrivals = seen[w] = new ConcurrentDictionary<string, long>();
                var client = cluster.CreateClient();
                watching.Add(Task.Run(async () =>
                {
                    try
                    {
                        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync("bench", resourceVersion: revision, cancellationToken: stopWatching.Token))
                        {
                            arrivals.TryAdd(pod.Metadata.Name, clock.ElapsedTicks);
                        }
                    }
                    catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
                    {
                        // Stopped at the end of the run.
                    }
                }, CancellationToken.None));
            }
            await Task.Delay(300, cancellationToken);

            var sent = new long[pods];
            var start = clock.ElapsedTicks;
            await CreatePods(creators, "bench", pods, sent, cancellationToken, clock);
            var createSeconds = (double)(clock.ElapsedTicks - start) / Stopwatch.Frequency;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (seen.Any(s => s.Count < pods) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, cancellationToken);
            }
            await stopWatching.CancelAsync();
            var latenciesMs = Enumerable.Range(0, pods)
                .Where(i => seen.All(s => s.ContainsKey(PodName(i))))
                .Select(i => (seen.Max(s => s[PodName(i)]) - sent[i]) * 1000.0 / Stopwatch.Frequency)
                .Order()
                .ToList();
            output.WriteLine($"dev-cluster bench: {pods} pods, {clients} creating clients, {watcherCount} watchers ({Environment.ProcessorCount} cores)");
            output.WriteLine($"  pod creates/s over HTTP: {pods / createSeconds:F0} ({createSeconds:F2} s)");
            output.WriteLine($"  watch fan-out latency (create sent -> seen by all {watcherCount}): median {Percentile(latenciesMs, 0.5):F1} ms, p99 {Percentile(latenciesMs, 0.99):F1} ms ({latenciesMs.Count}/{pods} seen by all)");
            foreach (var client in creators)
            {
                client.Dispose();
            }
            var rawRate = await RawCreates(cluster, pods, clients, cancellationToken);
            output.WriteLine($"  pod creates/s over HTTP with pre-serialized JSON (HttpClient, no KubernetesClient): {rawRate:F0}");
            var gangSeconds = await GangBind(pods, clients, cancellationToken);
            output.WriteLine($"  gang scheduling: {pods} pods (1 GPU each, one PodGroup, pod affinity per 64-pod replica on the block label, {pods / 8} nodes x 8 GPUs) all bound {gangSeconds:F2} s after the first create");
            return latenciesMs.Count == pods && !double.IsNaN(gangSeconds) ? 0 : 1;
        });
        return command;
    }

    private static string PodName(int i) => $"pod-{i}";

    /// <summary>Creates per second of the server alone: bodies serialized up front, plain HttpClient, same concurrency.</summary>
    private static async Task<double> RawCreates(DevCluster.DevCluster cluster, int pods, int clients, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = cluster.BaseUrl };
        await http.PostAsync("/api/v1/namespaces", new StringContent("""{"metadata":{"name":"raw"}}""", System.Text.Encoding.UTF8, "application/json"), cancellationToken);
        var bodies = Enumerable.Range(0, pods).Select(i => System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{PodName(i)}}}","labels":{"app":"bench","rank":"{{{i}}}"}},"spec":{"containers":[{"name":"trainer","image":"trainer:bench","args":["--rank","{{{i}}}"]}]}}""")).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < pods)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("/api/v1/namespaces/raw/pods", content, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
        }, cancellationToken)));
        return pods / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds from the first create until the scheduler has bound the whole gang (NaN if it did not within 60 s).</summary>
    private static async Task<double> GangBind(int pods, int clients, CancellationToken cancellationToken)
    {
        var options = new DevClusterOptions { Nodes = NodeOptions.Uniform(Math.Max(1, pods / 8), 8, nodesPerBlock: 16), EnableKubelet = false };
        await using var cluster = await DevCluster.DevCluster.StartAsync(options, cancellationToken);
        using var admin = cluster.CreateClient();
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "gang" } }, cancellationToken: cancellationToken);
        var group = new Dictionary<string, object>
        {
            ["apiVersion"] = "scheduling.x-k8s.io/v1alpha1",
            ["kind"] = "PodGroup",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "job" },
            ["spec"] = new Dictionary<string, object> { ["minMember"] = pods },
        };
        await admin.CustomObjects.CreateNamespacedCustomObjectAsync(group, "scheduling.x-k8s.io", "v1alpha1", "gang", "podgroups", cancellationToken: cancellationToken);
        var creators = Enumerable.Range(0, clients).Select(_ => cluster.CreateClient()).ToList();
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(creators.Select(client => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < pods)
            {
                var replica = (i / 64).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var labels = new Dictionary<string, string> { ["scheduling.x-k8s.io/pod-group"] = "job", ["replica"] = replica };
                var pod = new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = PodName(i), Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container { Name = "trainer", Image = "trainer:bench", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new("1") } } }],
                        Affinity = new V1Affinity
                        {
                            PodAffinity = new V1PodAffinity
                            {
                                RequiredDuringSchedulingIgnoredDuringExecution =
                                [
                                    new V1PodAffinityTerm { TopologyKey = NodeOptions.BlockLabel, LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["replica"] = replica } } },
                                ],
                            },
                        },
                    },
                };
                await client.CoreV1.CreateNamespacedPodAsync(pod, "gang", cancellationToken: cancellationToken);
            }
        }, cancellationToken)));
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var unbound = (await admin.CoreV1.ListNamespacedPodAsync("gang", fieldSelector: "spec.nodeName=", cancellationToken: cancellationToken)).Items.Count;
            if (unbound == 0)
            {
                return clock.Elapsed.TotalSeconds;
            }
            await Task.Delay(20, cancellationToken);
        }
        foreach (var client in creators)
        {
            client.Dispose();
        }
        return double.NaN;
    }

    private static async Task CreatePods(List<Kubernetes> clients, string ns, int count, long[] sent, CancellationToken cancellationToken, Stopwatch? clock = null)
    {
        var next = -1;
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var pod = new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = PodName(i), Labels = new Dictionary<string, string> { ["app"] = "bench", ["rank"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "trainer", Image = "trainer:bench", Args = ["--rank", i.ToString(System.Globalization.CultureInfo.InvariantCulture)] }] },
                };
                sent[i] = clock?.ElapsedTicks ?? 0;
                await client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken);
            }
        }, cancellationToken)));
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
