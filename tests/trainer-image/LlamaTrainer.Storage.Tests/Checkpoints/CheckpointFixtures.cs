using System.Security.Cryptography;
using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

/// <summary>Drafts and shards as a trainer would hand them to <see cref="CheckpointStore.CommitAsync"/>.</summary>
public static class CheckpointFixtures
{
    public static CheckpointManifest Draft(long step, bool stageEnd = false) => new()
    {
        Stage = "pretrain",
        StageIndex = 0,
        Step = step,
        Tokens = step * 4096,
        StageTokens = step * 4096,
        SequenceLength = 8192,
        StageEnd = stageEnd,
        Metrics = new TrainingMetrics(2.5, 3e-4, 1.2e6, 0.41),
    };

    public static CheckpointShard Shard(string name, byte[] bytes) => new(name, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask());

    /// <summary>Model and optimizer shards whose bytes depend on the step, so a load shows which checkpoint it read.</summary>
    public static IReadOnlyList<CheckpointShard> ShardsFor(long step) =>
        [Shard("model.bin", ModelBytes(step)), Shard("optimizer.bin", OptimizerBytes(step))];

    public static byte[] ModelBytes(long step) => Support.StoreContent.RandomBytes(50_000, (int)step);

    public static byte[] OptimizerBytes(long step) => Support.StoreContent.RandomBytes(20_000, (int)step + 1_000_000);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<byte[]> ReadShardAsync(LoadedCheckpoint checkpoint, string name)
    {
        await using var stream = await checkpoint.OpenShardAsync(name);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
