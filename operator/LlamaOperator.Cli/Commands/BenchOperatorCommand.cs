using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Crd;
using LlamaOperator.DevCluster;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Reconciling;
using LlamaOperator.Runtime.Informers;
using Prometheus;

namespace LlamaOperator.Cli.Commands;

/// <summary>
/// `llamaop bench operator`: the operator against the embedded API server (scheduler and kubelet off; the bench
/// plays the kubelet): apply -> all 2,048 pods of the Table 4 long-context stage created; a pod failure -> the
/// restarted gang's pods created (backoff 0); API writes of 100 no-op reconciles; operator memory with 1,000 jobs.
/// </summary>
internal static class BenchOperatorCommand
{
    private const string Ns = "default";

    public static Command Create()
    {
        var jobsOption = new Option<int>("--jobs") { Description = "Small jobs for the memory figure", DefaultValueFactory = _ => 1000 };
        var reconcilesOption = new Option<int>("--no-op-reconciles") { Description = "No-op reconciles whose API writes are counted", DefaultValueFactory = _ => 100 };
        var command = new Command("operator", "Benchmark the operator over HTTP: 2,048-pod gang creation, gang restart, no-op writes, memory per job");
        command.Options.Add(jobsOption);
        command.Options.Add(reconcilesOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var crds = Directory.CreateTempSubdirectory("llamaop-bench-crds-").FullName;
            await File.WriteAllTextAsync(Path.Combine(crds, CrdGenerator.FileName), CrdGenerator.GenerateYaml(), cancellationToken);
            await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { EnableKubelet = false, EnableScheduler = false, CrdDirectory = crds }, cancellationToken);
            var counter = new WriteCounter();
            using var operatorClient = new Kubernetes(cluster.ClientConfiguration, counter);
            using var client = cluster.CreateClient();
            var pods = new Informer<V1Pod>("bench-pods", ListerWatchers.Pods(client, Ns));
            using var stopPods = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var podsRun = pods.RunAsync(stopPods.Token);
            await pods.WaitForSyncAsync(cancellationToken);
            output.WriteLine($"operator bench ({Environment.ProcessorCount} cores, load average {LoadAverage()})");

            var registry = Prometheus.Metrics.NewCustomRegistry();
            await using (var op = Start(operatorClient, registry, TimeSpan.FromMilliseconds(20)))
            {
                var clock = Stopwatch.StartNew();
                await CreateJobAsync(client, BigJob());
                await WaitAsync(() => pods.Cache.Count == 2048, "2,048 pods", cancellationToken);
                output.WriteLine($"  apply -> all 2,048 pods (and Service, ConfigMap, PodGroup) created: {clock.Elapsed.TotalSeconds:F2} s");

                await SetPhaseAsync(client, pods.Cache.List(), "Running", cancellationToken);
                await WaitAsync(async () => (await GetJobAsync(client, "llama")).Status?.Phase == JobPhase.Running, "phase Running", cancellationToken);
                var old = pods.Cache.List().Select(p => p.Metadata.Uid).ToHashSet();
                clock.Restart();
                await SetPhaseAsync(client, [pods.Cache.Get(Ns, "llama-long-context-7")!], "Failed", cancellationToken);
                await WaitAsync(() => pods.Cache.List().Count(p => !old.Contains(p.Metadata.Uid)) == 2048, "the restarted gang", cancellationToken);
                output.WriteLine($"  pod failure -> all 2,048 pods of the restarted gang created (backoff 0): {clock.Elapsed.TotalSeconds:F2} s");

                await SetPhaseAsync(client, pods.Cache.List(), "Running", cancellationToken);
                await WaitAsync(async () => (await GetJobAsync(client, "llama")).Status?.Phase == JobPhase.Running, "phase Running again", cancellationToken);
                await Task.Delay(1000, cancellationToken);
                var reconciles = parse.GetValue(reconcilesOption);
                var (countBefore, secondsBefore) = await ReconcileTotalsAsync(registry);
                counter.Reset();
                await WaitAsync(async () => (await ReconcileTotalsAsync(registry)).Count >= countBefore + reconciles, "no-op reconciles", cancellationToken);
                var (countAfter, secondsAfter) = await ReconcileTotalsAsync(registry);
                output.WriteLine($"  {countAfter - countBefore:F0} no-op reconciles of the 2,048-pod job: {counter.Count} API writes; {(secondsAfter - secondsBefore) / (countAfter - countBefore) * 1000:F1} ms per reconcile");
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, Ns, ApiGroup.Plural, "llama", cancellationToken: cancellationToken);
                await WaitAsync(() => pods.Cache.Count == 0, "the big job's pods garbage-collected", cancellationToken);
            }

            var jobs = parse.GetValue(jobsOption);
            for (var i = 0; i < jobs; i++)
            {
                await CreateJobAsync(client, SmallJob($"small-{i:D4}"));
            }

            await using (var first = Start(operatorClient, Prometheus.Metrics.NewCustomRegistry(), TimeSpan.FromSeconds(10)))
            {
                await WaitAsync(() => pods.Cache.Count == jobs, $"{jobs} pods", cancellationToken, minutes: 5);
            }

            var baseline = ManagedBytes();
            var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
            var fresh = Prometheus.Metrics.NewCustomRegistry();
            await using (var second = Start(operatorClient, fresh, TimeSpan.FromSeconds(10)))
            {
                await WaitAsync(async () => (await ReconcileTotalsAsync(fresh)).Count >= jobs, $"{jobs} reconciles by a fresh operator", cancellationToken, minutes: 5);
                var withOperator = ManagedBytes();
                var workingSet = Process.GetCurrentProcess().WorkingSet64;
                output.WriteLine($"  {jobs} jobs ({jobs} pods, Services, ConfigMaps, PodGroups): the operator's managed heap {(withOperator - baseline) / 1e6:F1} MB ({(withOperator - baseline) / (double)jobs / 1e3:F1} kB per job); process working set +{(workingSet - workingSetBefore) / 1e6:F0} MB");
            }

            await stopPods.CancelAsync();
            await podsRun;
            return 0;
        });
        return command;
    }

    private static RunningHost Start(Kubernetes client, CollectorRegistry registry, TimeSpan poll) => new(client, new OperatorOptions
    {
        Namespace = Ns,
        Workers = 4,
        MetricsRegistry = registry,
        Reconciler = new ReconcilerSettings { ProgressPollInterval = poll },
    });

    /// <summary>Table 4's 128K stage: TP8 CP16 PP16 DP8 on 16,384 GPUs = 2,048 pods of 8 GPUs.</summary>
    private static LlamaTrainingJob BigJob() => Job("llama", "llama3-405b", 8, new StageSpec
    {
        Name = "long-context",
        Type = StageType.LongContext,
        Tokens = 800_000_000_000,
        SequenceLengths = [131_072],
        BatchTokens = 16L << 20,
        Parallelism = new ParallelismSpec { Tp = 8, Cp = 16, Pp = 16, Dp = 8 },
        Gate = new GateSpec { OnFailure = GateFailureAction.Continue },
    });

    private static LlamaTrainingJob SmallJob(string name) => Job(name, "tiny", 1, new StageSpec
    {
        Name = "pretrain",
        Type = StageType.Pretrain,
        Tokens = 1_000_000,
        SequenceLength = 256,
        BatchTokens = 2048,
        Parallelism = new ParallelismSpec { Dp = 1 },
    });

    private static LlamaTrainingJob Job(string name, string preset, int gpusPerNode, StageSpec stage) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = preset },
            Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 1 }] },
            Cluster = new ClusterSpec { GpusPerNode = gpusPerNode, GpuMemoryGiB = 80, Image = "llama-trainer:bench" },
            Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = Path.Combine(Path.GetTempPath(), "llamaop-bench", name) } } },
            FailurePolicy = new FailurePolicySpec { BackoffSeconds = 0, HangTimeoutSeconds = 86_400 },
            Stages = [stage],
        },
    };

    private static Task<object> CreateJobAsync(Kubernetes client, LlamaTrainingJob job) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(ApiJson.Serialize(job))!, ApiGroup.Group, ApiGroup.Version, Ns, ApiGroup.Plural);

    private static Task<LlamaTrainingJob> GetJobAsync(Kubernetes client, string name) =>
        client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(ApiGroup.Group, ApiGroup.Version, Ns, ApiGroup.Plural, name);

    /// <summary>The kubelet's part: pod phases through the status subresource, 16 at a time.</summary>
    private static Task SetPhaseAsync(Kubernetes client, IEnumerable<V1Pod> pods, string phase, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (pod, ct) =>
        {
            var status = phase == "Failed"
                ? """{"status":{"phase":"Failed","containerStatuses":[{"name":"trainer","ready":false,"restartCount":0,"image":"i","imageID":"","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}}"""
                : "{\"status\":{\"phase\":\"" + phase + "\"}}";
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), pod.Metadata.Name, Ns, cancellationToken: ct);
        });

    private static async Task<(double Count, double Seconds)> ReconcileTotalsAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        double count = 0, seconds = 0;
        foreach (var line in System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            var value = line.Length == 0 || line[0] == '#' ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (line.StartsWith("controller_reconcile_time_seconds_count", StringComparison.Ordinal))
            {
                count += value;
            }
            else if (line.StartsWith("controller_reconcile_time_seconds_sum", StringComparison.Ordinal))
            {
                seconds += value;
            }
        }

        return (count, seconds);
    }

    private static Task WaitAsync(Func<bool> condition, string what, CancellationToken cancellationToken, double minutes = 2) =>
        WaitAsync(() => Task.FromResult(condition()), what, cancellationToken, minutes);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken, double minutes = 2)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed.TotalMinutes > minutes)
            {
                throw new TimeoutException($"bench: no {what} after {minutes} minutes");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>The operator's own writes (every request but GET), as seen on its client.</summary>
    private sealed class WriteCounter : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get)
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>An OperatorHost in the background; disposing stops it.</summary>
    private sealed class RunningHost : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public RunningHost(Kubernetes client, OperatorOptions options)
        {
            Host = new OperatorHost(client, options, Serilog.Core.Logger.None);
            _run = Task.Run(() => Host.RunAsync(_stop.Token));
        }

        public OperatorHost Host { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }
}
