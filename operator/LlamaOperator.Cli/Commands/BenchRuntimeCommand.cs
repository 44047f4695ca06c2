using System.CommandLine;
using System.Diagnostics;
using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Queue;
using Prometheus;

namespace LlamaOperator.Cli.Commands;

/// <summary>
/// `llamaop bench runtime`: work queue throughput (add/get/done with duplicate keys and several workers),
/// delayed-add scheduling cost, and informer catch-up over HTTP against the embedded API server.
/// </summary>
internal static class BenchRuntimeCommand
{
    public static Command Create()
    {
        var keysOption = new Option<int>("--keys") { Description = "Distinct keys in the queue benchmarks", DefaultValueFactory = _ => 10_000 };
        var addsOption = new Option<int>("--adds") { Description = "Adds in the throughput benchmark (keys repeat)", DefaultValueFactory = _ => 1_000_000 };
        var workersOption = new Option<int>("--workers") { Description = "Workers taking keys", DefaultValueFactory = _ => 4 };
        var objectsOption = new Option<int>("--objects") { Description = "ConfigMaps the informer must catch up with", DefaultValueFactory = _ => 2000 };
        var command = new Command("runtime", "Benchmark the controller runtime: work queue, delayed adds, informer catch-up over HTTP");
        command.Options.Add(keysOption);
        command.Options.Add(addsOption);
        command.Options.Add(workersOption);
        command.Options.Add(objectsOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var keys = parse.GetValue(keysOption);
            var adds = parse.GetValue(addsOption);
            var workers = parse.GetValue(workersOption);
            var objects = parse.GetValue(objectsOption);
            var metrics = new WorkQueueMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
            output.WriteLine($"runtime bench ({Environment.ProcessorCount} cores)");

            var (processed, queueSeconds) = await QueueThroughput(metrics, keys, adds, workers);
            output.WriteLine($"  work queue: {adds} adds over {keys} keys, {workers} workers: {adds / queueSeconds:F0} adds/s, {processed} keys processed ({processed / queueSeconds:F0}/s) in {queueSeconds:F2} s");

            var (scheduleSeconds, promotedAfter) = DelayedAdds(metrics, keys * 10);
            output.WriteLine($"  AddAfter: {keys * 10} keys (delays 1-200 ms) scheduled in {scheduleSeconds * 1000:F0} ms ({keys * 10 / scheduleSeconds:F0} keys/s); all in the queue {promotedAfter * 1000:F0} ms after the last was scheduled");

            var (listSeconds, watchSeconds) = await InformerCatchUp(objects, cancellationToken);
            output.WriteLine($"  informer over HTTP: synced {objects} ConfigMaps by list in {listSeconds * 1000:F0} ms; {objects} creates seen through the watch {watchSeconds:F2} s after the first create ({objects / watchSeconds:F0} objects/s incl. the creates)");
            return 0;
        });
        return command;
    }

    private static async Task<(long Processed, double Seconds)> QueueThroughput(WorkQueueMetrics metrics, int keys, int adds, int workers)
    {
        using var queue = new WorkQueue<int>("bench", new WorkQueueOptions<int> { Metrics = metrics });
        long processed = 0;
        var clock = Stopwatch.StartNew();
        var consumers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var item = await queue.GetAsync();
                if (item.IsShutDown)
                {
                    return;
                }

                Interlocked.Increment(ref processed);
                queue.Done(item.Key);
            }
        })).ToArray();
        for (var i = 0; i < adds; i++)
        {
            queue.Add(i % keys);
        }

        await queue.ShutDownWithDrainAsync();
        await Task.WhenAll(consumers);
        return (processed, clock.Elapsed.TotalSeconds);
    }

    private static (double ScheduleSeconds, double PromotedAfter) DelayedAdds(WorkQueueMetrics metrics, int keys)
    {
        using var queue = new WorkQueue<int>("bench-delayed", new WorkQueueOptions<int> { Metrics = metrics });
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < keys; i++)
        {
            queue.AddAfter(i, TimeSpan.FromMilliseconds(1 + (i % 200)));
        }

        var scheduled = clock.Elapsed.TotalSeconds;
        while (queue.Length < keys)
        {
            Thread.Sleep(1);
        }

        return (scheduled, clock.Elapsed.TotalSeconds - scheduled);
    }

    private static async Task<(double ListSeconds, double WatchSeconds)> InformerCatchUp(int objects, CancellationToken cancellationToken)
    {
        await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { Nodes = [], EnableScheduler = false, EnableKubelet = false }, cancellationToken);
        using var client = cluster.CreateClient();
        foreach (var ns in new[] { "listed", "watched" })
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
        }

        await CreateConfigMaps(client, "listed", objects, cancellationToken);
        var listClock = Stopwatch.StartNew();
        var listed = new Informer<V1ConfigMap>("listed", ListerWatchers.ConfigMaps(client, "listed"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listedRun = listed.RunAsync(stop.Token);
        await listed.WaitForSyncAsync(cancellationToken);
        var listSeconds = listClock.Elapsed.TotalSeconds;

        var watched = new Informer<V1ConfigMap>("watched", ListerWatchers.ConfigMaps(client, "watched"));
        var watchedRun = watched.RunAsync(stop.Token);
        await watched.WaitForSyncAsync(cancellationToken);
        var watchClock = Stopwatch.StartNew();
        await CreateConfigMaps(client, "watched", objects, cancellationToken);
        while (watched.Cache.Count < objects)
        {
            await Task.Delay(1, cancellationToken);
        }

        var watchSeconds = watchClock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(listedRun, watchedRun);
        return (listSeconds, watchSeconds);
    }

    private static async Task CreateConfigMaps(Kubernetes client, string ns, int count, CancellationToken cancellationToken)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await client.CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" }, Data = new Dictionary<string, string> { ["i"] = $"{i}" } },
                    ns,
                    cancellationToken: cancellationToken);
            }
        }, cancellationToken)));
    }

}
