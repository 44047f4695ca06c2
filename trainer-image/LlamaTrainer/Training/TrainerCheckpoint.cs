using System.Text;
using System.Text.Json;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// The trainer's part of a checkpoint as named shards: model weights, AdamW state (moments and step counts) and
/// the loop's own state (position, stage, RNG, data cursor). Restoring all three into a freshly built trainer
/// continues bit for bit where the saved one stopped.
/// </summary>
public static class TrainerCheckpoint
{
    public const string ModelShard = "model.bin";
    public const string OptimizerShard = "optimizer.bin";
    public const string StateShard = "trainer-state.json";

    public static readonly IReadOnlyList<string> ShardNames = [ModelShard, OptimizerShard, StateShard];

    /// <summary>Writes one shard of <paramref name="trainer"/> to <paramref name="destination"/> (left open).</summary>
    public static void Write(Trainer trainer, string shard, Stream destination)
    {
        switch (shard)
        {
            case ModelShard:
                using (var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true))
                {
                    trainer.Model.save(writer);
                }
                break;
            case OptimizerShard:
                using (var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true))
                {
                    trainer.Optimizer.save_state_dict(writer);
                }
                break;
            case StateShard:
                using (var rng = get_rng_state())
                {
                    var state = new SavedState(trainer.Stage.Name, trainer.Stage.LengthIndex, trainer.State, rng.data<byte>().ToArray(), trainer.Data.SaveCursor());
                    JsonSerializer.Serialize(destination, state, JsonOptions);
                }
                break;
            default:
                throw new ArgumentException($"unknown trainer shard '{shard}' (expected one of {string.Join(", ", ShardNames)})", nameof(shard));
        }
    }

    /// <summary>Loads only the weights shard into <paramref name="model"/> (evaluation and averaging need no optimizer state).</summary>
    public static async Task LoadModelAsync(LlamaTransformer model, Func<string, CancellationToken, Task<Stream>> openShard, CancellationToken cancellationToken = default)
    {
        await using var stream = await openShard(ModelShard, cancellationToken);
        using var reader = new BinaryReader(stream);
        model.load(reader);
    }

    /// <summary>
    /// Loads weights, optimizer state and the data cursor. Within the same stage (and length) it also restores the
    /// stage position and the RNG; a checkpoint of an earlier stage carries only the job totals into a new stage.
    /// </summary>
    public static async Task RestoreAsync(Trainer trainer, Func<string, CancellationToken, Task<Stream>> openShard, CancellationToken cancellationToken = default)
    {
        await LoadModelAsync(trainer.Model, openShard, cancellationToken);
        await using (var stream = await openShard(OptimizerShard, cancellationToken))
        using (var reader = new BinaryReader(stream))
        {
            trainer.Optimizer.load_state_dict(reader);
        }

        SavedState saved;
        await using (var stream = await openShard(StateShard, cancellationToken))
        {
            saved = await JsonSerializer.DeserializeAsync<SavedState>(stream, JsonOptions, cancellationToken)
                ?? throw new InvalidDataException($"checkpoint shard {StateShard} is empty");
        }

        // The data position carries over into a new stage too (its mix may differ; the documents read stay read).
        trainer.Data.RestoreCursor(saved.DataCursor);
        if (saved.Stage == trainer.Stage.Name && saved.LengthIndex == trainer.Stage.LengthIndex)
        {
            trainer.State = saved.State;
            using var rng = tensor(saved.RngState, ScalarType.Byte);
            set_rng_state(rng);
        }
        else if (saved.Stage == trainer.Stage.Name)
        {
            // The next length of a LongContext stage: short-context recovery is judged against the loss from before
            // the whole long-context stage (Llama 3: "fully recovered"), so the baseline carries over.
            trainer.State = saved.State.NextStage() with { BaselineShortContextLoss = saved.State.BaselineShortContextLoss };
        }
        else
        {
            trainer.State = saved.State.NextStage();
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record SavedState(string Stage, int? LengthIndex, TrainingState State, byte[] RngState, string DataCursor);
}
