using System.Net;
using LlamaTrainer.Collectives.Gloo;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Collectives.Tests;

[Collection(nameof(GlooFailureTests))]
public class CollectiveBenchmarkTests
{
    [Fact]
    public void Two_ranks_as_threads_report_every_collective_with_nccl_tests_bus_bandwidth()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        var stores = new List<TcpStoreClient>();
        var report = CollectiveBenchmark.RunThreads(2, rank =>
        {
            var store = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", ThreadGang.DefaultTimeout);
            lock (stores)
                stores.Add(store);
            return new GlooBackend(store, rank, 2, "127.0.0.1", ThreadGang.DefaultTimeout);
        }, bytes: (1 << 20) + 3, iterations: 3);
        stores.ForEach(s => s.Dispose());

        Assert.Equal(2, report.Ranks);
        Assert.Equal(1 << 20, report.Bytes);
        Assert.Equal(["all-reduce", "reduce-scatter", "all-gather"], report.Collectives.Select(c => c.Operation));
        Assert.True(report.MemcpyGBps > 0);
        foreach (var timing in report.Collectives)
        {
            Assert.True(timing.Median > TimeSpan.Zero);
            Assert.Equal(report.Bytes / timing.Median.TotalSeconds / 1e9, timing.AlgorithmGBps, 6);
            // n = 2: all-reduce moves 2(n-1)/n = 1 times the buffer, the others (n-1)/n = 1/2.
            Assert.Equal(timing.AlgorithmGBps * (timing.Operation == "all-reduce" ? 1.0 : 0.5), timing.BusGBps, 6);
        }
    }
}
