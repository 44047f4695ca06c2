using System.Net;
using LlamaTrainer.Collectives.Nccl;
using LlamaTrainer.Collectives.Rendezvous;
using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>One NCCL gang member run as a thread on GPU <see cref="Rank"/>.</summary>
internal sealed record NcclMember(int Rank, int Size, NcclBackend Backend)
{
    public Device Device { get; } = new(DeviceType.CUDA, Rank);

    public ICommunicator World() => Backend.CreateGroup("world", [.. Enumerable.Range(0, Size)]);
}

/// <summary>A gang of ranks as threads of this process, one GPU each, around a real TCP store on loopback.</summary>
internal static class NcclThreadGang
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="body"/> on every rank; rethrows the first rank's exception, if any.</summary>
    public static T[] Run<T>(int size, Func<NcclMember, T> body, TimeSpan? collectiveTimeout = null)
    {
        using var server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                using var store = TcpStoreClient.Connect("127.0.0.1", server.Port, "g1", DefaultTimeout);
                using var backend = new NcclBackend(store, rank, size, cudaDevice: rank, collectiveTimeout ?? DefaultTimeout);
                results[rank] = body(new NcclMember(rank, size, backend));
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })
        { IsBackground = true, Name = $"rank {rank}" }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromMinutes(3)), $"{thread.Name} did not finish within 3 minutes");
        for (var rank = 0; rank < size; rank++)
        {
            if (errors[rank] is { } error)
                throw new InvalidOperationException($"rank {rank} failed: {error.Message}", error);
        }
        return results;
    }
}
