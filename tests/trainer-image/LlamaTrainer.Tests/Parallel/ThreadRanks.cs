using System.Globalization;
using LlamaOperator.Api.Resolution;
using LlamaTrainer.Launch;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Parallel;

/// <summary>
/// A data-parallel gang whose ranks are threads of the test process, joined the way trainer processes join
/// (<see cref="GangConnection.Join"/> over a loopback store and Gloo), for fast multi-rank tests of the trainer's parts.
/// </summary>
internal static class ThreadRanks
{
    public static T[] Run<T>(int dp, Func<GangConnection, T> body, int timeoutSeconds = 20)
    {
        var variables = StandaloneGang.Variables(new ResolvedParallelism(1, 1, 1, dp), StandaloneGang.FreePort(), $"threads-{Guid.NewGuid():N}");
        var results = new T[dp];
        var errors = new Exception?[dp];
        var threads = Enumerable.Range(0, dp).Select(rank => new Thread(() =>
        {
            try
            {
                var environment = DistributedEnvironment.From(new Dictionary<string, string>(variables)
                {
                    ["RANK"] = rank.ToString(CultureInfo.InvariantCulture),
                    ["NPROC_PER_NODE"] = "1",
                });
                using var gang = GangConnection.Join(environment, ComputeDevice.Cpu, TimeSpan.FromSeconds(timeoutSeconds), Logger.None);
                results[rank] = body(gang);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })
        { IsBackground = true, Name = $"rank {rank}" }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), $"{thread.Name} did not finish");
        }

        for (var rank = 0; rank < dp; rank++)
        {
            if (errors[rank] is { } error)
            {
                throw new InvalidOperationException($"rank {rank} failed: {error.Message}", error);
            }
        }

        return results;
    }
}
