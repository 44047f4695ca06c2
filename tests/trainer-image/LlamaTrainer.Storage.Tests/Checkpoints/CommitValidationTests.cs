using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Support;
using static LlamaTrainer.Storage.Tests.Checkpoints.CheckpointFixtures;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

public sealed class CommitValidationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("manifest.json", "manifest.json")]
    [InlineData("sub/model.bin", "'sub/model.bin'")]
    [InlineData("", "''")]
    [InlineData("..", "'..'")]
    public async Task Shard_names_must_be_plain_file_names(string name, string expected)
    {
        var checkpoints = new CheckpointStore(new LocalFolderStore(_temp.Path));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitAsync(Draft(1), [Shard(name, [1])]));

        Assert.Contains(expected, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task Duplicate_shards_empty_shard_lists_negative_steps_and_empty_stages_are_rejected()
    {
        var checkpoints = new CheckpointStore(new LocalFolderStore(_temp.Path));

        var twice = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitAsync(Draft(1), [Shard("a.bin", [1]), Shard("a.bin", [2])]));
        var none = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitAsync(Draft(1), []));
        var negative = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitAsync(Draft(-5), ShardsFor(1)));
        var noStage = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CommitAsync(Draft(1) with { Stage = " " }, ShardsFor(1)));

        Assert.Contains("'a.bin' appears twice", twice.Message);
        Assert.Contains("no shards", none.Message);
        Assert.Contains("step is -5", negative.Message);
        Assert.Contains("stage is empty", noStage.Message);
    }

    [Fact]
    public async Task Opening_by_a_name_that_is_not_an_id_says_what_an_id_looks_like()
    {
        var checkpoints = new CheckpointStore(new LocalFolderStore(_temp.Path));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.OpenAsync("latest"));

        Assert.Contains("step-0000001000", e.Message);
    }

    [Fact]
    public async Task Asking_for_a_shard_the_manifest_lacks_lists_the_shards_it_has()
    {
        var checkpoints = new CheckpointStore(new LocalFolderStore(_temp.Path));
        await checkpoints.CommitAsync(Draft(1), ShardsFor(1));
        var opened = await checkpoints.OpenAsync("step-0000000001");

        var e = await Assert.ThrowsAsync<ArgumentException>(() => opened.OpenShardAsync("rng.bin"));

        Assert.Contains("model.bin, optimizer.bin", e.Message);
    }
}
