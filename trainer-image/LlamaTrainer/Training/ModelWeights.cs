using LlamaTrainer.Model;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// A checkpoint's whole weights, for evaluation and averaging (one process, no optimizer state): read from every
/// rank's pieces of a format-2 checkpoint (the fp32 master rows), or from a format-1 model.bin.
/// </summary>
public static class ModelWeights
{
    public static async Task LoadAsync(LlamaTransformer model, LoadedCheckpoint loaded, CancellationToken cancellationToken = default)
    {
        if (loaded.Tensors is null)
        {
            await LegacyCheckpoint.LoadModelAsync(model, loaded, cancellationToken);
            return;
        }

        foreach (var (name, parameter) in model.named_parameters())
        {
            using var values = await TrainerCheckpoint.ReadRegionAsync(loaded, TrainerCheckpoint.ModelTensor(name), TensorRegion.Whole(parameter.shape), cancellationToken);
            using var noGrad = no_grad();
            parameter.copy_(values);
        }
    }

    /// <summary>Commits <paramref name="model"/>'s weights alone, as one rank's whole pieces (the averaged final model).</summary>
    public static async Task<CheckpointManifest> CommitAsync(CheckpointStore store, LlamaTransformer model, CheckpointManifest draft, CancellationToken cancellationToken = default)
    {
        var pieces = model.named_parameters()
            .Select(p => TrainerCheckpoint.Piece(TrainerCheckpoint.ModelTensor(p.name), p.parameter.shape, TensorRegion.Whole(p.parameter.shape), p.parameter.detach()))
            .ToList();
        await store.BeginAsync(draft.Step, cancellationToken);
        var written = await store.WriteRankShardAsync(CheckpointId.ForStep(draft.Step), 0, pieces, cancellationToken);
        return await store.CommitManifestAsync(draft, [written], [], cancellationToken);
    }
}
