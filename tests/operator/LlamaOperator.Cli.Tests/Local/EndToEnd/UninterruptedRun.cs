using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Cli.Tests.Local.EndToEnd;

/// <summary>
/// The micro job run once without faults: the happy path's evidence and the reference weights for the fault tests.
/// Set LLAMAOP_KEEP_E2E=1 to keep its folder (checkpoints, llamaop.log) for inspection.
/// </summary>
public sealed class UninterruptedRun : IAsyncLifetime
{
    internal MicroJob Micro { get; private set; } = null!;
    internal LlamaTrainingJob Final { get; private set; } = null!;

    /// <summary>Every distinct (phase, stage, length index) the job showed, in order.</summary>
    internal List<string> Visited { get; } = [];

    /// <summary>The most tokens status.stage.tokens showed for each running stage and length (the progress bars' source).</summary>
    internal Dictionary<string, long> StageTokens { get; } = [];

    public async Task InitializeAsync()
    {
        Micro = MicroJob.Create();
        var (session, log) = await Micro.StartAsync();
        await using (session)
        {
            using (log)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                Final = await session.WaitForEndAsync(Record, TimeSpan.FromMilliseconds(100), timeout.Token);
            }
        }
    }

    private void Record(LlamaTrainingJob job)
    {
        var status = job.Status;
        var step = $"{status?.Phase}" + (status?.Phase is JobPhase.Running ? $" {status.Stage?.Name}@{status.Stage?.LengthIndex}" : "");
        if (Visited.LastOrDefault() != step)
        {
            Visited.Add(step);
        }

        if (status?.Phase is JobPhase.Running && status.Stage?.Tokens is { } tokens)
        {
            StageTokens[step] = Math.Max(tokens, StageTokens.GetValueOrDefault(step));
        }
    }

    public Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("LLAMAOP_KEEP_E2E") is null)
        {
            Directory.Delete(Micro.Folder, recursive: true);
        }

        return Task.CompletedTask;
    }
}
