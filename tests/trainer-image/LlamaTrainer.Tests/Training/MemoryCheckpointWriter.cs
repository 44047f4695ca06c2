using LlamaTrainer.Metrics;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

/// <summary>Keeps every checkpoint's shards in memory, for loop tests.</summary>
internal sealed class MemoryCheckpointWriter : ICheckpointWriter
{
    public List<(long Step, bool StageEnd, Dictionary<string, byte[]> Shards)> Saved { get; } = [];

    public Task SaveAsync(Trainer trainer, bool stageEnd, StepMetrics? latest, CancellationToken cancellationToken)
    {
        var shards = new Dictionary<string, byte[]>();
        foreach (var name in TrainerCheckpoint.ShardNames)
        {
            using var buffer = new MemoryStream();
            TrainerCheckpoint.Write(trainer, name, buffer);
            shards[name] = buffer.ToArray();
        }
        Saved.Add((trainer.State.Step, stageEnd, shards));
        return Task.CompletedTask;
    }
}
