using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LlamaOperator.Api.Resolution;

namespace LlamaTrainer.Launch;

/// <summary>
/// The rendezvous of a gang started outside a cluster (`llama-train train` on a laptop): every rank on this machine,
/// the store on a free loopback port, a generation unique to this launch. What the operator renders into pods, the
/// launcher invents here, so a stage runs in its manifest's layout with one command.
/// </summary>
public static class StandaloneGang
{
    public static IReadOnlyDictionary<string, string> Variables(ResolvedParallelism parallelism, int port, string generation)
    {
        static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MASTER_ADDR"] = "127.0.0.1",
            ["MASTER_PORT"] = Text(port),
            ["WORLD_SIZE"] = Text(parallelism.WorldSize),
            ["NNODES"] = "1",
            ["NODE_RANK"] = "0",
            ["NPROC_PER_NODE"] = Text(parallelism.WorldSize),
            ["LLAMA_TP"] = Text(parallelism.Tp),
            ["LLAMA_CP"] = Text(parallelism.Cp),
            ["LLAMA_PP"] = Text(parallelism.Pp),
            ["LLAMA_DP"] = Text(parallelism.Dp),
            ["LLAMA_GANG_GENERATION"] = generation,
        };
    }

    /// <summary>A loopback port nobody listens on now (the store binds it a moment later).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
