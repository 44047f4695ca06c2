using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// Reads a format-1 checkpoint (written by the single-process trainer: TorchSharp's model.bin and AdamW's
/// optimizer.bin) into any layout's owned rows: both files are loaded whole into a model and an AdamW of the same
/// shape (its two parameter groups as that trainer built them: decayed matrices first, then the rest), then each
/// rank keeps its box.
/// </summary>
public static class LegacyCheckpoint
{
    public const string ModelShard = "model.bin";
    public const string OptimizerShard = "optimizer.bin";

    public static async Task<RestoredState> ReadAsync(LoadedCheckpoint loaded, Trainer trainer, CancellationToken cancellationToken)
    {
        var saved = await TrainerCheckpoint.ReadStateAsync(loaded, cancellationToken);
        using var model = new LlamaTransformer(trainer.Model.Config);
        await LoadModelAsync(model, loaded, cancellationToken);
        var named = model.named_parameters().Select(p => TrainableParameter.Of(p.name, p.parameter)).ToList();
        var ordered = named.Where(p => p.Decays).Concat(named.Where(p => !p.Decays)).ToList();
        using var adam = optim.AdamW(
            [new AdamW.ParamGroup(ordered.Where(p => p.Decays).Select(p => p.Value)), new AdamW.ParamGroup(ordered.Where(p => !p.Decays).Select(p => p.Value))]);
        await using (var stream = await loaded.OpenShardAsync(OptimizerShard, cancellationToken))
        using (var reader = new BinaryReader(stream))
        {
            adam.load_state_dict(reader);
        }

        var states = adam.state_dict().State.Cast<AdamW.State>().ToList();
        var byName = ordered.Select((p, i) => (p.Name, p.Value, State: states[i])).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var staged = trainer.Optimizer.Shards.Select(shard =>
        {
            if (shard.Rows.Count == 0)
            {
                return Array.Empty<Tensor>();
            }

            var (_, value, state) = byName[shard.Name];
            Tensor Box(Tensor full)
            {
                using var scope = NewDisposeScope(); // keeps the chain's temporaries alive through their native calls
                return TensorBox.Of(full.detach(), shard.Start, shard.Length).to_type(ScalarType.Float32).cpu().clone().MoveToOuterDisposeScope();
            }
            return new[] { Box(value), Box(state.exp_avg), Box(state.exp_avg_sq) };
        }).ToList();
        return new RestoredState(saved, states.Count == 0 ? 0 : states[0].step, staged);
    }

    /// <summary>Loads a format-1 checkpoint's whole weights into <paramref name="model"/>.</summary>
    public static async Task LoadModelAsync(LlamaTransformer model, LoadedCheckpoint loaded, CancellationToken cancellationToken)
    {
        await using var stream = await loaded.OpenShardAsync(ModelShard, cancellationToken);
        using var reader = new BinaryReader(stream);
        model.load(reader);
    }
}
