using System.Net;
using LlamaTrainer.Collectives;
using LlamaTrainer.Collectives.Gloo;
using LlamaTrainer.Collectives.Nccl;
using LlamaTrainer.Collectives.Rendezvous;
using LlamaTrainer.Training;
using Serilog;
using TorchSharp;

namespace LlamaTrainer.Parallel;

/// <summary>
/// Joins this process to its gang: global rank 0 serves the rendezvous store at MASTER_ADDR:MASTER_PORT, every rank
/// checks in under the gang's restart generation (so a restarted gang never meets a stale one) and connects its
/// process groups on the engine for its device (NCCL on CUDA, Gloo on CPU). A world of one connects nothing.
/// </summary>
public sealed class GangConnection : IDisposable
{
    private readonly TcpStoreServer? _server;
    private readonly TcpStoreClient? _store;

    private GangConnection(ProcessGroups groups, TcpStoreServer? server, TcpStoreClient? store)
    {
        Groups = groups;
        _server = server;
        _store = store;
    }

    public ProcessGroups Groups { get; }

    /// <summary>Joins the gang with the engine for <paramref name="device"/>, where the rank's model and tensors live.</summary>
    public static GangConnection Join(DistributedEnvironment environment, ComputeDevice device, TimeSpan timeout, ILogger log)
    {
        var layout = environment.Layout;
        if (layout.WorldSize == 1)
        {
            return new GangConnection(ProcessGroups.Solo(layout), null, null);
        }

        var generation = environment.Generation ?? "0";
        var host = environment.MasterAddr!;
        var port = environment.MasterPort!.Value;
        // In a pod the store and Gloo listen on the pod's IP (the dev cluster gives every pod its own loopback IP,
        // so two gangs on one machine do not clash on MASTER_PORT); outside a pod, on loopback.
        var bindAddress = environment.PodIp ?? (IsLoopback(host) ? "127.0.0.1" : Dns.GetHostName());
        TcpStoreServer? server = null;
        TcpStoreClient? store = null;
        try
        {
            if (environment.Rank == 0)
            {
                var listen = environment.PodIp is { } podIp ? IPAddress.Parse(podIp) : IsLoopback(host) ? IPAddress.Loopback : IPAddress.Any;
                server = TcpStoreServer.Start(listen, port, generation);
            }

            store = TcpStoreClient.Connect(host, port, generation, timeout);
            GangRendezvous.Join(store, environment.Rank, (int)layout.WorldSize, generation, timeout);
            log.Information("Joined gang generation {Generation}: rank {Rank} of {WorldSize} (tp={Tp} cp={Cp} pp={Pp} dp={Dp}), store {Store}",
                generation, environment.Rank, layout.WorldSize, layout.Tp, layout.Cp, layout.Pp, layout.Dp, store.Address);
            var backend = Engine(device, store, environment.Rank, (int)layout.WorldSize, bindAddress, timeout, log);
            return new GangConnection(ProcessGroups.Connect(layout, environment.Rank, backend), server, store);
        }
        catch
        {
            store?.Dispose();
            server?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Groups.Dispose();
        _store?.Dispose();
        _server?.Dispose();
    }

    // The one place the engine is chosen: collectives take tensors where the model lives. A CUDA device is the
    // process's LOCAL_RANK (ComputeDevice.Select), one GPU per rank.
    private static ICollectiveBackend Engine(ComputeDevice device, IKeyValueStore store, int rank, int worldSize, string bindAddress, TimeSpan timeout, ILogger log)
    {
        if (device.Device.type == DeviceType.CUDA)
        {
            log.Information("Collectives on NCCL, cuda:{CudaDevice}", device.Device.index);
            return new NcclBackend(store, rank, worldSize, device.Device.index, timeout);
        }

        log.Information("Collectives on Gloo (CPU), bind address {BindAddress}", bindAddress);
        return new GlooBackend(store, rank, worldSize, bindAddress, timeout);
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
