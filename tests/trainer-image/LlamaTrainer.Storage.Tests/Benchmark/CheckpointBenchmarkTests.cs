using LlamaOperator.TestSupport;
using LlamaTrainer.Storage.Benchmark;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Azure;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Benchmark;

/// <summary>The benchmark's bookkeeping, at a tiny size (the figures come from `llama-train bench`, not from tests).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CheckpointBenchmarkTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_local_run_reports_both_rates_for_the_bytes_asked_and_leaves_the_store_as_it_was()
    {
        var store = new LocalFolderStore(_temp.Path);
        await store.PutBytesAsync("heartbeat.json", [1]);

        var result = await CheckpointBenchmark.RunAsync(store, totalBytes: 3_000_001, shards: 3);

        Assert.Equal(3_000_001, result.Bytes);
        Assert.Equal(3, result.Shards);
        Assert.True(result.SaveMegabytesPerSecond > 0 && result.LoadMegabytesPerSecond > 0);
        Assert.Equal(result.Bytes / 1e6 / result.Save.TotalSeconds, result.SaveMegabytesPerSecond, 6);
        Assert.Equal(["heartbeat.json"], (await store.ListAllAsync()).Select(o => o.Key));
    }

    [Fact]
    public async Task An_azurite_run_cleans_up_its_scratch_checkpoint()
    {
        var store = ObjectStores.Open(azurite.NewContainerUrl(), new BlobCredentials { ConnectionString = azurite.ConnectionString });

        var result = await CheckpointBenchmark.RunAsync(store, totalBytes: 1_000_000, shards: 2);

        Assert.Equal(store.Location, result.Location);
        Assert.Empty(await store.ListAllAsync());
    }
}
