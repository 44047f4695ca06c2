using System.Globalization;
using LlamaOperator.Api.Resolution;
using LlamaTrainer.Launch;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Parallel;

/// <summary>
/// A gang whose ranks are threads of the test process, joined the way trainer processes join
/// (<see cref="GangConnection.Join"/> over a loopback store and Gloo), for fast multi-rank tests of the trainer's parts.
/// </summary>
internal static class ThreadRanks
{
    public static T[] Run<T>(int dp, Func<GangConnection, T> body, int timeoutSeconds = 60) =>
        Run(new ResolvedParallelism(1, 1, 1, dp), body, timeoutSeconds);

    public static T[] Run<T>(ResolvedParallelism layout, Func<GangConnection, T> body, int timeoutSeconds = 60)
    {
        var variables = StandaloneGang.Variables(layout, StandaloneGang.FreePort(), $"threads-{Guid.NewGuid():N}");
        var world = (int)layout.WorldSize;
        var results = new T[world];
        var errors = new Exception?[world];
        var threads = Enumerable.Range(0, world).Select(rank => new Thread(() =>
        {
            try
            {
                var environment = DistributedEnvironment.From(new Dictionary<string, string>(variables)
                {
                    ["RANK"] = rank.ToString(CultureInfo.InvariantCulture),
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

        for (var rank = 0; rank < world; rank++)
        {
            if (errors[rank] is { } error)
            {
                throw new InvalidOperationException($"rank {rank} failed: {error.Message}", error);
            }
        }

        return results;
    }
}

/// <summary>
/// Tests whose ranks are threads of the test host run alone: their Gloo contexts and TorchSharp work would otherwise
/// share the process with every other test class's native work (one unexplained test-host crash was seen under that mix).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadRanksCollection
{
    public const string Name = "thread ranks";
}
