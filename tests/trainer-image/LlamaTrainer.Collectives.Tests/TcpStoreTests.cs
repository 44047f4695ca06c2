using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Collectives.Tests;

public class TcpStoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void Set_get_add_and_check_round_trip_between_clients()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        using var a = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout);
        using var b = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout);

        a.Set("model/step", [1, 2, 3]);
        Assert.Equal([1, 2, 3], b.Get("model/step"));
        Assert.Equal(5, a.Add("count", 5));
        Assert.Equal(3, b.Add("count", -2));
        Assert.Equal("3", Encoding.UTF8.GetString(a.Get("count")));
        Assert.Equal([true, false, true], b.Check(["model/step", "absent", "count"]));
        Assert.Equal($"127.0.0.1:{server.Port}", a.Address);
    }

    [Fact]
    public async Task Get_waits_for_a_key_that_another_client_sets_later()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        using var reader = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout);
        using var writer = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout);
        var pending = Task.Run(() => reader.Get("late"));
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        writer.Set("late", [42]);
        Assert.Equal([42], await pending.WaitAsync(Timeout));
        reader.Wait(["late"]);
    }

    [Fact]
    public void A_get_that_times_out_names_the_key_the_store_and_the_generation()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g7");
        using var client = TcpStoreClient.Connect("127.0.0.1", server.Port, "g7", TimeSpan.FromMilliseconds(300));
        var started = Stopwatch.GetTimestamp();
        var error = Assert.Throws<CollectiveTimeoutException>(() => client.Get("rank/3"));
        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(3));
        Assert.Equal($"key rank/3 not set at the rendezvous store 127.0.0.1:{server.Port} within 0.3 s (generation g7)", error.Message);

        client.Set("a", []);
        var wait = Assert.Throws<CollectiveTimeoutException>(() => client.Wait(["a", "b", "c"], TimeSpan.FromMilliseconds(100)));
        Assert.StartsWith("keys b, c not set", wait.Message);
    }

    [Fact]
    public void A_client_of_another_generation_is_turned_away_and_keys_do_not_cross_generations()
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g2");
        var error = Assert.Throws<InvalidOperationException>(() => TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout));
        Assert.Contains("serves generation g2, not g1", error.Message);

        // The store still serves its own generation.
        using var client = TcpStoreClient.Connect("127.0.0.1", server.Port, "g2", Timeout);
        client.Set("k", [1]);
        Assert.Equal([1], client.Get("k"));
    }

    [Fact]
    public async Task A_client_started_before_the_server_connects_once_it_listens()
    {
        var port = FreePort();
        var connecting = Task.Run(() => TcpStoreClient.Connect("127.0.0.1", port, "g1", Timeout));
        await Task.Delay(500);
        using var server = TcpStoreServer.Start(IPAddress.Loopback, port, "g1");
        using var client = await connecting.WaitAsync(Timeout);
        client.Set("hello", [1]);
    }

    [Fact]
    public void No_server_within_the_timeout_names_the_address()
    {
        var port = FreePort();
        var error = Assert.Throws<CollectiveTimeoutException>(() => TcpStoreClient.Connect("127.0.0.1", port, "g1", TimeSpan.FromMilliseconds(400)));
        Assert.StartsWith($"could not reach the rendezvous store at 127.0.0.1:{port} within 0.4 s (generation g1)", error.Message);
    }

    [Fact]
    public async Task A_client_waiting_on_a_server_that_stops_gets_a_peer_failure()
    {
        var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        using var client = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", Timeout);
        var pending = Task.Run(() => client.Get("never"));
        await Task.Delay(200);
        server.Dispose();
        var error = await Assert.ThrowsAsync<PeerFailureException>(() => pending.WaitAsync(Timeout));
        Assert.Contains("lost the rendezvous store", error.Message);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
