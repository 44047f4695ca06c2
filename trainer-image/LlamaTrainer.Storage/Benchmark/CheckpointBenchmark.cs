using System.Diagnostics;
using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Benchmark;

/// <summary>
/// Measures the checkpoint path end to end on a store: commit (streamed, hashed, parallel shards, manifest last),
/// then load through verifying streams. Runs in a scratch folder it deletes afterwards.
/// </summary>
public static class CheckpointBenchmark
{
    private const int ChunkBytes = 1 << 20;

    public static async Task<CheckpointBenchmarkResult> RunAsync(IObjectStore store, long totalBytes, int shards, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var scratch = new PrefixedStore(store, $"bench-{Guid.NewGuid():N}");
        var checkpoints = new CheckpointStore(scratch, logger: Serilog.Core.Logger.None);
        // Random bytes, so no layer below can compress or deduplicate them.
        var chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(chunk);
        var sizes = Enumerable.Range(0, shards).Select(i => totalBytes / shards + (i < totalBytes % shards ? 1 : 0)).ToArray();
        try
        {
            var save = Stopwatch.StartNew();
            await checkpoints.CommitAsync(Draft(), sizes.Select((size, i) => new CheckpointShard($"shard-{i:D3}.bin", (s, ct) => WriteAsync(s, chunk, size, ct))).ToList(), cancellationToken);
            save.Stop();

            var load = Stopwatch.StartNew();
            await checkpoints.LoadNewestValidAsync(async (loaded, ct) =>
                await Task.WhenAll(loaded.Manifest.Shards.Select(shard => DrainAsync(loaded, shard.Name, ct))), cancellationToken);
            load.Stop();
            return new CheckpointBenchmarkResult(store.Location, totalBytes, shards, save.Elapsed, load.Elapsed);
        }
        finally
        {
            await foreach (var info in scratch.ListAsync("", CancellationToken.None))
            {
                await scratch.DeleteAsync(info.Key, CancellationToken.None);
            }
        }
    }

    private static async Task WriteAsync(Stream stream, byte[] chunk, long size, CancellationToken cancellationToken)
    {
        for (var left = size; left > 0; left -= chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)), cancellationToken);
        }
    }

    private static async Task DrainAsync(LoadedCheckpoint loaded, string shard, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        await using var stream = await loaded.OpenShardAsync(shard, cancellationToken);
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    private static CheckpointManifest Draft() => new()
    {
        Stage = "benchmark",
        StageIndex = 0,
        Step = 0,
        Tokens = 0,
        StageTokens = 0,
        SequenceLength = 0,
        Metrics = new TrainingMetrics(0, 0, 0),
    };
}
