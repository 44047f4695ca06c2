using System.Net;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Collectives.Tests;

public class GangRendezvousTests
{
    [Fact]
    public async Task Every_rank_returns_once_all_four_have_checked_in()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        var ranks = Enumerable.Range(0, 4).Select(rank => Task.Run(() =>
        {
            // Rank 3 is late, but within the timeout.
            Thread.Sleep(rank == 3 ? 300 : 0);
            using var store = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", TimeSpan.FromSeconds(5));
            GangRendezvous.Join(store, rank, 4, "g1", TimeSpan.FromSeconds(5));
        })).ToArray();
        await Task.WhenAll(ranks).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Ranks_that_never_arrive_are_named_with_the_store_address_and_generation()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        var present = Enumerable.Range(0, 2).Select(rank => Task.Run(() =>
        {
            using var store = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", TimeSpan.FromSeconds(5));
            return Record.Exception(() => GangRendezvous.Join(store, rank, 4, "g1", TimeSpan.FromMilliseconds(500)));
        })).ToArray();
        foreach (var outcome in await Task.WhenAll(present).WaitAsync(TimeSpan.FromSeconds(10)))
        {
            var error = Assert.IsType<CollectiveTimeoutException>(outcome);
            Assert.Equal($"ranks 2, 3 did not arrive at 127.0.0.1:{server.Port} within 0.5 s (generation g1)", error.Message);
        }
    }
}
