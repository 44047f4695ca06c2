using System.Net;
using LlamaTrainer.Collectives;
using LlamaTrainer.Collectives.Gloo;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Benchmarks;

/// <summary>A gang of ranks as threads of this process over a loopback store and Gloo, for `bench collectives`.</summary>
internal sealed class LoopbackGang : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TcpStoreServer _server = TcpStoreServer.Start(IPAddress.Loopback, 0, "bench");

    /// <summary>Rank <paramref name="rank"/>'s backend; disposing it also closes its store connection.</summary>
    public ICollectiveBackend Rank(int rank, int ranks) => new Member(TcpStoreClient.Connect("127.0.0.1", _server.Port, "bench", Timeout), rank, ranks);

    public void Dispose() => _server.Dispose();

    private sealed class Member(TcpStoreClient store, int rank, int ranks) : ICollectiveBackend
    {
        private readonly GlooBackend _gloo = new(store, rank, ranks, "127.0.0.1", Timeout);

        public ICommunicator CreateGroup(string name, IReadOnlyList<int> globalRanks) => _gloo.CreateGroup(name, globalRanks);

        public void Dispose()
        {
            _gloo.Dispose();
            store.Dispose();
        }
    }
}
