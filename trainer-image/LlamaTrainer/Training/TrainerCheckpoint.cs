using System.Text.Json;
using LlamaTrainer.Collectives;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// The trainer's checkpoint in format 2, written by every rank of a gang and readable by any layout: each rank writes
/// the box it owns (its tensor-parallel slice, its ZeRO rows of that; a replicated tensor only by its primary holder) of
/// every parameter's fp32 master weights and AdamW moments (tensors <c>model/NAME</c>, <c>optim/exp_avg/NAME</c>,
/// <c>optim/exp_avg_sq/NAME</c>, each piece recorded with the tensor's global shape and the box it holds) into its own
/// shard; rank 0 then writes the loop's state and commits the manifest, last. Restoring reads exactly the box the new
/// layout's rank owns, so a checkpoint saved at one TP and DP size resumes at any other with the same state, bit for bit. Format-1 checkpoints (one process, TorchSharp's own files) still load.
/// </summary>
public sealed class TrainerCheckpoint(CheckpointStore store, ICommunicator world, ILogger log)
{
    public const string StateShard = "trainer-state.json";

    public static string ModelTensor(string parameter) => "model/" + parameter;

    public static string ExpAvgTensor(string parameter) => "optim/exp_avg/" + parameter;

    public static string ExpAvgSqTensor(string parameter) => "optim/exp_avg_sq/" + parameter;

    public CheckpointStore Store => store;

    /// <summary>Every rank calls this at the same step; returns the committed manifest (on every rank).</summary>
    public async Task<CheckpointManifest> SaveAsync(Trainer trainer, CheckpointManifest draft, int keep, CancellationToken cancellationToken)
    {
        var id = CheckpointId.ForStep(draft.Step);
        if (world.Rank == 0)
        {
            await store.BeginAsync(draft.Step, cancellationToken);
        }

        world.Barrier(); // no rank writes into a checkpoint that is still committed (a retried step)
        var written = await store.WriteRankShardAsync(id, world.Rank, [.. Pieces(trainer)], cancellationToken);
        var everyRank = ByteExchange.AllGather(world, JsonSerializer.SerializeToUtf8Bytes(written, JsonOptions))
            .Select(bytes => JsonSerializer.Deserialize<RankShard>(bytes, JsonOptions)!)
            .ToList();
        CheckpointManifest? committed = null;
        if (world.Rank == 0)
        {
            var state = JsonSerializer.SerializeToUtf8Bytes(SavedState.Of(trainer), JsonOptions);
            var layout = trainer.Groups.Layout;
            var recorded = new CheckpointLayout(layout.Tp, layout.Cp, layout.Pp, layout.Dp, world.Size);
            committed = await store.CommitManifestAsync(draft with { Layout = recorded }, everyRank, [new CheckpointShard(StateShard, (stream, ct) => stream.WriteAsync(state, ct).AsTask())], cancellationToken);
            await store.PruneAsync(keep, cancellationToken);
        }

        // Everyone leaves once the manifest is durable; if rank 0 failed, the others fail here with a peer failure.
        world.Barrier();
        return committed ?? draft with { Id = id };
    }

    /// <summary>
    /// Restores the newest checkpoint every rank can read completely (the ranks vote, and fall back together past a
    /// damaged one). Returns its manifest, or null when there is none (a fresh start).
    /// </summary>
    public async Task<CheckpointManifest?> RestoreNewestAsync(Trainer trainer, CancellationToken cancellationToken)
    {
        foreach (var id in await CandidatesAsync(cancellationToken))
        {
            RestoredState? restored = null;
            CheckpointManifest? manifest = null;
            try
            {
                // Streaming: every piece and shard this rank reads is verified as it is read, and no other rank's shard is read.
                var loaded = await store.OpenForStreamingAsync(id, cancellationToken);
                manifest = loaded.Manifest;
                restored = loaded.Tensors is null
                    ? await LegacyCheckpoint.ReadAsync(loaded, trainer, cancellationToken)
                    : await ReadAsync(loaded, trainer, cancellationToken);
            }
            catch (Exception e) when (e is CheckpointCorruptException or InvalidDataException or IOException or ObjectNotFoundException)
            {
                log.Warning("Checkpoint {CheckpointId} at {Location} cannot be restored on rank {Rank}: {Problem}", id, store.LocationOf(id), world.Rank, e.Message);
            }

            if (ByteExchange.All(world, restored is not null))
            {
                restored!.Apply(trainer);
                return manifest;
            }

            restored?.Dispose();
            log.Warning("Checkpoint {CheckpointId} is not readable on every rank: falling back to an older one", id);
        }

        return null;
    }

    /// <summary>The committed checkpoints' ids, newest first: listed by rank 0 alone (one listing, not one per rank) and sent to all.</summary>
    private async Task<IReadOnlyList<string>> CandidatesAsync(CancellationToken cancellationToken)
    {
        var listed = world.Rank == 0
            ? JsonSerializer.SerializeToUtf8Bytes((await store.ListCommittedAsync(cancellationToken)).Select(m => m.Id).ToList(), JsonOptions)
            : [];
        return JsonSerializer.Deserialize<List<string>>(ByteExchange.AllGather(world, listed)[0], JsonOptions)!;
    }

    private static async Task<RestoredState> ReadAsync(LoadedCheckpoint loaded, Trainer trainer, CancellationToken cancellationToken)
    {
        var saved = await ReadStateAsync(loaded, cancellationToken);
        var shards = trainer.Optimizer.Shards;
        var staged = new List<Tensor[]>(shards.Count);
        try
        {
            foreach (var shard in shards)
            {
                if (shard.Rows.Count == 0)
                {
                    staged.Add([]); // this rank owns no rows of a small tensor
                    continue;
                }

                var region = RegionOf(shard);
                staged.Add(
                [
                    await ReadRegionAsync(loaded, ModelTensor(shard.Name), region, cancellationToken),
                    await ReadRegionAsync(loaded, ExpAvgTensor(shard.Name), region, cancellationToken),
                    await ReadRegionAsync(loaded, ExpAvgSqTensor(shard.Name), region, cancellationToken),
                ]);
            }
        }
        catch
        {
            staged.ForEach(t => Array.ForEach(t, x => x.Dispose()));
            throw;
        }

        return new RestoredState(saved, saved.OptimizerSteps, staged);
    }

    internal static async Task<SavedState> ReadStateAsync(LoadedCheckpoint loaded, CancellationToken cancellationToken)
    {
        await using var stream = await loaded.OpenShardAsync(StateShard, cancellationToken);
        return await JsonSerializer.DeserializeAsync<SavedState>(stream, JsonOptions, cancellationToken)
            ?? throw new InvalidDataException($"checkpoint shard {StateShard} of {loaded.Location} is empty");
    }

    /// <summary>Reads the box <paramref name="region"/> of a stored fp32 tensor into a new CPU tensor of the box's shape.</summary>
    internal static async Task<Tensor> ReadRegionAsync(LoadedCheckpoint loaded, string name, TensorRegion region, CancellationToken cancellationToken)
    {
        var buffer = new byte[region.Length.Aggregate(1L, (a, b) => a * b) * sizeof(float)];
        await loaded.ReadRegionAsync(name, region, buffer, cancellationToken);
        var result = empty([.. region.Length], ScalarType.Float32);
        result.bytes = buffer;
        return result;
    }

    private static IEnumerable<TensorPieceSource> Pieces(Trainer trainer)
    {
        foreach (var shard in trainer.Optimizer.Shards.Where(s => s.Saved))
        {
            var region = RegionOf(shard);
            yield return Piece(ModelTensor(shard.Name), shard.Shape, region, shard.Master);
            yield return Piece(ExpAvgTensor(shard.Name), shard.Shape, region, shard.ExpAvg);
            yield return Piece(ExpAvgSqTensor(shard.Name), shard.Shape, region, shard.ExpAvgSq);
        }
    }

    /// <summary>The fp32 bytes of <paramref name="values"/> (the box <paramref name="region"/> of a tensor of <paramref name="shape"/>), copied to the host.</summary>
    internal static TensorPieceSource Piece(string name, long[] shape, TensorRegion region, Tensor values)
    {
        // The scope keeps the chain's temporaries referenced (and then frees them): one only the stack refers to may
        // be finalized by the GC while the next native call still reads it.
        using var scope = NewDisposeScope();
        var host = values.to_type(ScalarType.Float32).cpu().contiguous();
        return TensorPieceSource.FromBytes(name, ElementType.Float32, shape, region, host.bytes.ToArray());
    }

    /// <summary>The owned box of a parameter in its global shape.</summary>
    internal static TensorRegion RegionOf(OwnedShard shard) => new(shard.Start, shard.Length);

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
