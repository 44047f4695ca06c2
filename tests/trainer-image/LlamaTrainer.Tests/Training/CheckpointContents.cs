using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

/// <summary>What a checkpoint holds, whatever layout wrote it: for comparing checkpoints byte for byte.</summary>
internal static class CheckpointContents
{
    /// <summary>Every tensor of the newest checkpoint in <paramref name="store"/>, read whole, and its loop state.</summary>
    public static async Task<(Dictionary<string, byte[]> Tensors, string State)> ReadAsync(CheckpointStore store)
    {
        var loaded = await store.OpenAsync((await store.ListCommittedAsync())[0].Id);
        var tensors = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var tensor in loaded.Tensors!.Tensors)
        {
            var bytes = new byte[tensor.Shape.Aggregate(1L, (a, b) => a * b) * tensor.Type.SizeOf()];
            await loaded.ReadRegionAsync(tensor.Name, TensorRegion.Whole(tensor.Shape), bytes);
            tensors[tensor.Name] = bytes;
        }

        await using var state = await loaded.OpenShardAsync(TrainerCheckpoint.StateShard);
        using var reader = new StreamReader(state);
        return (tensors, await reader.ReadToEndAsync());
    }

    /// <summary>Asserts that the newest checkpoint of <paramref name="store"/> holds <paramref name="expected"/>'s tensors and loop state, byte for byte.</summary>
    public static async Task AssertSameAsync((Dictionary<string, byte[]> Tensors, string State) expected, CheckpointStore store, string name)
    {
        var actual = await ReadAsync(store);
        Assert.Equal(expected.Tensors.Keys.Order(), actual.Tensors.Keys.Order());
        foreach (var (tensor, bytes) in expected.Tensors)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual.Tensors[tensor]), $"{tensor} differs after restoring at {name}");
        }

        Assert.Equal(expected.State, actual.State);
    }
}
