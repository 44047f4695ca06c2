using System.Net;
using LlamaTrainer.Collectives.Gloo;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Collectives.Tests;

/// <summary>One gang member run as a thread: its rank, its store connection and its Gloo backend.</summary>
internal sealed record GangMember(int Rank, int Size, IKeyValueStore Store, GlooBackend Backend)
{
    public ICommunicator World() => Backend.CreateGroup("world", [.. Enumerable.Range(0, Size)]);
}

/// <summary>A gang of ranks as threads of this process around a real TCP store on loopback.</summary>
internal static class ThreadGang
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="body"/> on every rank; rethrows the first rank's exception, if any.</summary>
    public static T[] Run<T>(
        int size, Func<GangMember, T> body, TimeSpan? collectiveTimeout = null, TimeSpan? storeTimeout = null,
        Func<int, IKeyValueStore, IKeyValueStore>? storeOf = null)
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                using var client = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", storeTimeout ?? DefaultTimeout, connectTimeout: DefaultTimeout);
                var store = storeOf?.Invoke(rank, client) ?? client;
                using var backend = new GlooBackend(store, rank, size, "127.0.0.1", collectiveTimeout ?? DefaultTimeout);
                results[rank] = body(new GangMember(rank, size, store, backend));
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })
        { IsBackground = true, Name = $"rank {rank}" }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), $"{thread.Name} did not finish within 60 s");
        for (var rank = 0; rank < size; rank++)
        {
            if (errors[rank] is { } error)
                throw new InvalidOperationException($"rank {rank} failed: {error.Message}", error);
        }
        return results;
    }
}
