using System.Text;
using System.Text.Json;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Collectives;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Training;
using Serilog.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Training;

[Collection(ThreadRanksCollection.Name)]
public class TrainerCheckpointTests
{
    private static readonly ModelConfig Config = TinyConfigs.Gqa();
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Saved by 2 data-parallel ranks (each writes its rows), restored by 1 and by 4 ranks (each reads only its rows) and
    /// saved again: every stored tensor (master weights and both moments) and the loop state are the same bytes.
    /// </summary>
    [Fact]
    public async Task A_checkpoint_saved_at_dp2_restores_at_dp1_and_dp4_to_the_same_full_state_bitwise()
    {
        using var dp2 = new FolderCheckpoints();
        ThreadRanks.Run(2, gang =>
        {
            using var trainer = Create(gang.Groups);
            trainer.Step();
            trainer.Step();
            new StoreCheckpointWriter(new TrainerCheckpoint(dp2.Store, gang.Groups.World, Logger.None), keep: 5)
                .SaveAsync(trainer, stageEnd: false, null, CancellationToken.None).GetAwaiter().GetResult();
            return 0;
        });

        using var dp1 = new FolderCheckpoints();
        using (var trainer = Create(ProcessGroups.Single()))
        {
            var from = await new TrainerCheckpoint(dp2.Store, new SoloCommunicator(), Logger.None).RestoreNewestAsync(trainer, CancellationToken.None);
            Assert.Equal(2, from!.Step);
            await dp1.Writer.SaveAsync(trainer, stageEnd: false, null, CancellationToken.None);
        }

        using var dp4 = new FolderCheckpoints();
        ThreadRanks.Run(4, gang =>
        {
            using var trainer = Create(gang.Groups);
            var from = new TrainerCheckpoint(dp2.Store, gang.Groups.World, Logger.None).RestoreNewestAsync(trainer, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(2, from!.Step);
            new StoreCheckpointWriter(new TrainerCheckpoint(dp4.Store, gang.Groups.World, Logger.None), keep: 5)
                .SaveAsync(trainer, stageEnd: false, null, CancellationToken.None).GetAwaiter().GetResult();
            return 0;
        });

        var expected = await CheckpointContents.ReadAsync(dp2.Store);
        using (var model = new LlamaTransformer(Config))
        {
            Assert.Equal(3 * model.named_parameters().Count(), expected.Tensors.Count); // master, exp_avg, exp_avg_sq
        }
        Assert.Contains("optim/exp_avg_sq/output.weight", expected.Tensors.Keys);
        foreach (var (name, other) in new[] { ("dp1", dp1.Store), ("dp4", dp4.Store) })
        {
            await CheckpointContents.AssertSameAsync(expected, other, name);
        }
    }

    /// <summary>A checkpoint of the single-process trainer (TorchSharp's model.bin and AdamW's optimizer.bin) restores weights, moments and step count exactly.</summary>
    [Fact]
    public async Task A_format_1_checkpoint_restores_weights_moments_and_step_count_exactly()
    {
        using var checkpoints = new FolderCheckpoints();
        manual_seed(4);
        using var reference = new LlamaTransformer(Config);
        static bool Decays(string name, Parameter p) => TrainableParameter.Of(name, p).Decays;
        var named = reference.named_parameters().ToList();
        using var adam = optim.AdamW(
            [
                new AdamW.ParamGroup(named.Where(p => Decays(p.name, p.parameter)).Select(p => p.parameter), lr: 1e-2, weight_decay: 0.1),
                new AdamW.ParamGroup(named.Where(p => !Decays(p.name, p.parameter)).Select(p => p.parameter), lr: 1e-2, weight_decay: 0),
            ],
            lr: 1e-2);
        var batches = new SyntheticBatchSource(Config.VocabSize);
        for (var step = 0; step < 2; step++)
        {
            using var tensors = new BatchTensors(batches.Next(2, 16), CPU);
            reference.forward(tensors.Inputs, tensors.Positions, tensors.Documents).square().mean().backward();
            adam.step();
            adam.zero_grad();
        }

        var state = JsonSerializer.SerializeToUtf8Bytes(
            new { Stage = "pretrain", LengthIndex = (int?)null, State = new TrainingState(2, 64, 2, 64), RngState = get_rng_state().data<byte>().ToArray(), DataCursor = batches.SaveCursor() },
            Web);
        await checkpoints.Store.CommitAsync(
            new CheckpointManifest { Stage = "pretrain", StageIndex = 0, Step = 2, Tokens = 64, StageTokens = 64, SequenceLength = 16, Metrics = new TrainingMetrics(1, 1e-2, 0) },
            [
                new CheckpointShard("model.bin", (stream, _) => Write(stream, w => reference.save(w))),
                new CheckpointShard("optimizer.bin", (stream, _) => Write(stream, w => adam.save_state_dict(w))),
                new CheckpointShard("trainer-state.json", (stream, ct) => stream.WriteAsync(state, ct).AsTask()),
            ]);

        using var trainer = Create(ProcessGroups.Single(), seed: 99);
        var restored = await checkpoints.Checkpoint.RestoreNewestAsync(trainer, CancellationToken.None);

        Assert.Equal(1, restored!.FormatVersion);
        Assert.Equal((2L, new TrainingState(2, 64, 2, 64)), (trainer.Optimizer.StepCount, trainer.State));
        var states = adam.state_dict().State.Cast<AdamW.State>().ToList();
        var ordered = named.Where(p => Decays(p.name, p.parameter)).Concat(named.Where(p => !Decays(p.name, p.parameter))).Select(p => p.name).ToList();
        var weights = trainer.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var shard in trainer.Optimizer.Shards)
        {
            var expectedState = states[ordered.IndexOf(shard.Name)];
            Assert.True(Same(shard.Master, named.Single(p => p.name == shard.Name).parameter), $"{shard.Name}: master weights differ");
            Assert.True(Same(weights[shard.Name], shard.Master), $"{shard.Name}: the model's weights are not the master's");
            Assert.True(Same(shard.ExpAvg, expectedState.exp_avg), $"{shard.Name}: exp_avg differs");
            Assert.True(Same(shard.ExpAvgSq, expectedState.exp_avg_sq), $"{shard.Name}: exp_avg_sq differs");
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Task Write(Stream stream, Action<BinaryWriter> write)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        write(writer);
        return Task.CompletedTask;
    }

    private static Trainer Create(ProcessGroups groups, long seed = 11) =>
        TrainerFactory.Create(Config, TrainerFactory.Stage(batchTokens: 4 * 16, microBatch: 1), new SyntheticBatchSource(Config.VocabSize), seed, groups);
}
