using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaTrainer.Collectives;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Training;
using Serilog.Core;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Training;

[Collection(ThreadRanksCollection.Name)]
public class LayoutTrainingTests
{
    // 66 ids: the vocabulary does not divide by 4, so TP ranks and ZeRO shards hold unequal rows; 4 layers split into
    // pipeline stages of 2 + 2 or 1 + 1 + 1 + 1.
    private static readonly ModelConfig Config = TinyConfigs.Gqa(vocab: 66) with { Layers = 4 };

    /// <summary>Steps of <paramref name="microBatches"/> micro-batches of one 16-token row.</summary>
    private static StageSettings Stage(int microBatches = 4, int virtualStages = 1) =>
        TrainerFactory.Stage(batchTokens: microBatches * 16, microBatch: 1, virtualStages: virtualStages);

    private static Trainer Create(ProcessGroups groups, long seed = 11, int microBatches = 4, int virtualStages = 1) =>
        TrainerFactory.Create(Config, Stage(microBatches, virtualStages), new SyntheticBatchSource(Config.VocabSize), seed, groups);

    /// <summary>
    /// Tensor-, context-, pipeline- and data-parallel layouts (TP4 with K/V heads replicated, CP4 with chunks of 2
    /// tokens, PP4 with a layer a stage, 1F1B over 4 micro-batches, 2 a DP rank, or 2 for 4 stages; PP2 with 2 virtual
    /// stages a rank, a layer each, in the interleaved schedule, alone and beside TP2 or DP2) train 6 steps as
    /// one process does, with a gradient norm above the clip (so clipping by the global norm over every TP, PP and DP
    /// shard, CP replicas counted once, is exercised). Losses and norms within 1e-5 relative; final weights within
    /// 1e-4 relative + 3e-5 absolute (1 % of one step at lr 3e-3):
    /// fp32 gives the same sums in another order, and Adam divides each element's gradient by its own running RMS, so
    /// an element whose gradient is near zero moves by a visible fraction of the learning rate on rounding noise
    /// (measured: 1.3e-5 at most).
    /// </summary>
    [Theory]
    [InlineData(2, 1, 1, 1)]
    [InlineData(4, 1, 1, 1)]
    [InlineData(2, 1, 1, 2)]
    [InlineData(1, 2, 1, 1)]
    [InlineData(1, 4, 1, 1)]
    [InlineData(2, 2, 1, 1)]
    [InlineData(1, 2, 1, 2)]
    [InlineData(1, 1, 2, 1)]
    [InlineData(1, 1, 4, 1)]
    [InlineData(1, 1, 2, 2)]
    [InlineData(2, 1, 2, 1)]
    [InlineData(2, 1, 2, 2)]
    [InlineData(2, 2, 2, 1)]
    [InlineData(1, 1, 4, 1, 2)]
    [InlineData(1, 1, 2, 1, 4, 2)]
    [InlineData(2, 1, 2, 1, 4, 2)]
    [InlineData(1, 1, 2, 2, 4, 2)]
    public void Tensor_context_pipeline_and_data_parallel_ranks_train_the_steps_of_one_process(int tp, int cp, int pp, int dp, int microBatches = 4, int virtualStages = 1)
    {
        const int Steps = 6;
        List<(double Loss, double Norm)> Train(Trainer trainer) => [.. Enumerable.Range(0, Steps).Select(_ => trainer.Step()).Select(r => (r.Loss, r.GradNorm))];

        using var single = Create(ProcessGroups.Single(), microBatches: microBatches);
        var expected = Train(single);
        var weights = single.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        var ranks = ThreadRanks.Run(new ResolvedParallelism(tp, cp, pp, dp), gang =>
        {
            using var trainer = Create(gang.Groups, microBatches: microBatches, virtualStages: virtualStages);
            var steps = Train(trainer);
            return (Steps: steps, Weights: trainer.Model.named_parameters().Zip(trainer.Model.Placements).Select(p => (p.Second, p.First.parameter.detach().clone())).ToList());
        });

        Assert.True(expected[0].Norm > Stage().GradClip, $"clipping not exercised: norm {expected[0].Norm}");
        foreach (var rank in ranks)
        {
            for (var step = 0; step < Steps; step++)
            {
                Assert.Equal(expected[step].Loss, rank.Steps[step].Loss, expected[step].Loss * 1e-5);
                Assert.Equal(expected[step].Norm, rank.Steps[step].Norm, expected[step].Norm * 1e-5);
            }

            foreach (var (placement, weight) in rank.Weights)
            {
                var box = TensorBox.Of(weights[placement.Name], placement.Start, placement.Length);
                Assert.True(weight.allclose(box, rtol: 1e-4, atol: 3e-5), $"{placement.Name}: largest difference {(weight - box).abs().max().item<float>():E2}");
            }
        }
    }

    /// <summary>
    /// Every parameter's gradient after one step equals one process's, element by element, in every rank's shard: after
    /// AdamW's first step the first moment is (1 - beta1) x the clipped gradient, and the clip factor is the global
    /// norm's, so each rank's owned rows of it must be the single process's. Tolerance 1e-4 relative + 1e-7 absolute
    /// (fp32 sums in another order). TP2, CP2, DP2, PP2 (1F1B), PP2 with 2 virtual stages (interleaved), PP4, and
    /// TP2 x PP2 x DP2 (8 ranks).
    /// </summary>
    [Theory]
    [InlineData(2, 1, 1, 1)]
    [InlineData(1, 2, 1, 1)]
    [InlineData(1, 1, 1, 2)]
    [InlineData(1, 1, 2, 1)]
    [InlineData(1, 1, 2, 1, 2)]
    [InlineData(1, 1, 4, 1)]
    [InlineData(2, 1, 2, 2)]
    public void Every_parameters_gradient_after_one_step_is_one_processs(int tp, int cp, int pp, int dp, int virtualStages = 1)
    {
        Dictionary<string, Tensor> expected;
        using (var single = Create(ProcessGroups.Single()))
        {
            single.Step();
            expected = single.Optimizer.Shards.ToDictionary(s => s.Name, s => s.ExpAvg.detach().clone());
        }

        var compared = ThreadRanks.Run(new ResolvedParallelism(tp, cp, pp, dp), gang =>
        {
            using var trainer = Create(gang.Groups, virtualStages: virtualStages);
            trainer.Step();
            foreach (var shard in trainer.Optimizer.Shards.Where(s => s.Rows.Count > 0))
            {
                var box = TensorBox.Of(expected[shard.Name], shard.Start, shard.Length);
                Assert.True(shard.ExpAvg.allclose(box, rtol: 1e-4, atol: 1e-7), $"{shard.Name} rows {shard.Start[0]}+{shard.Length[0]}: largest difference {(shard.ExpAvg - box).abs().max().item<float>():E2}");
            }

            return trainer.Optimizer.Shards.Where(s => s.Rows.Count > 0).Select(s => s.Name).ToList();
        });

        // Together the ranks compared every parameter.
        Assert.Equal(expected.Keys.Order(), compared.SelectMany(n => n).Distinct().Order());
    }

    /// <summary>
    /// Saved at TP2 x DP2 (each rank writes its box of its TP slice; norms and other replicated tensors once), restored
    /// by one process, by TP4 (K/V heads replicated), by DP4, by PP4, by TP2 x PP2, by PP2 with 2 virtual stages a rank
    /// (non-adjacent layers), by CP2 x TP2 and by CP2 x PP2, and
    /// saved again: every stored tensor and the loop state are the same bytes.
    /// </summary>
    [Fact]
    public async Task A_checkpoint_saved_at_tp2_dp2_restores_in_one_process_and_at_other_tp_pp_dp_layouts_to_the_same_full_state_bitwise()
    {
        using var saved = new FolderCheckpoints();
        ThreadRanks.Run(new ResolvedParallelism(2, 1, 1, 2), gang =>
        {
            using var trainer = Create(gang.Groups);
            trainer.Step();
            trainer.Step();
            Save(trainer, saved.Store, gang.Groups);
            return 0;
        });

        using var single = new FolderCheckpoints();
        using (var trainer = Create(ProcessGroups.Single(), seed: 99))
        {
            var from = await new TrainerCheckpoint(saved.Store, new SoloCommunicator(), Logger.None).RestoreNewestAsync(trainer, CancellationToken.None);
            Assert.Equal(2, from!.Step);
            await single.Writer.SaveAsync(trainer, stageEnd: false, null, CancellationToken.None);
        }

        var resaved = new Dictionary<string, CheckpointStore> { ["one process"] = single.Store };
        using var folders = new DisposableList<FolderCheckpoints>();
        foreach (var (name, layout) in new[]
        {
            ("tp4", new ResolvedParallelism(4, 1, 1, 1)),
            ("dp4", new ResolvedParallelism(1, 1, 1, 4)),
            ("pp4", new ResolvedParallelism(1, 1, 4, 1)),
            ("tp2 x pp2", new ResolvedParallelism(2, 1, 2, 1)),
            ("pp2 x 2 virtual stages", new ResolvedParallelism(1, 1, 2, 1) { VirtualStages = 2 }),
            ("cp2 x tp2", new ResolvedParallelism(2, 2, 1, 1)),
            ("cp2 x pp2", new ResolvedParallelism(1, 2, 2, 1)),
        })
        {
            resaved[name] = Resave(saved.Store, layout, folders.Add(new FolderCheckpoints()).Store);
        }

        var expected = await CheckpointContents.ReadAsync(saved.Store);
        Assert.Equal(3 * TensorParallelSplit.Of(Config, 1, 0).Parameters().Count, expected.Tensors.Count);
        Assert.Equal(new CheckpointLayout(2, 1, 1, 2, 4), (await saved.Store.ListCommittedAsync())[0].Layout);
        foreach (var (name, store) in resaved)
        {
            await CheckpointContents.AssertSameAsync(expected, store, name);
        }
    }

    /// <summary>
    /// Every pair of TP2, CP2, PP2, CP2 x TP2 and TP2 x PP2 x DP2 (8 ranks): a checkpoint saved after 2 steps at the
    /// first restores at the second and saves there the same full state, bitwise.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_checkpoint_reshards_between_every_pair_of_the_tested_layouts_bitwise()
    {
        ResolvedParallelism[] layouts = [new(2, 1, 1, 1), new(1, 2, 1, 1), new(1, 1, 2, 1), new(2, 2, 1, 1), new(2, 1, 2, 2)];
        using var folders = new DisposableList<FolderCheckpoints>();
        foreach (var source in layouts)
        {
            var saved = folders.Add(new FolderCheckpoints()).Store;
            ThreadRanks.Run(source, gang =>
            {
                using var trainer = Create(gang.Groups);
                trainer.Step();
                trainer.Step();
                Save(trainer, saved, gang.Groups);
                return 0;
            });
            var expected = await CheckpointContents.ReadAsync(saved);
            foreach (var target in layouts.Where(l => l != source))
            {
                await CheckpointContents.AssertSameAsync(expected, Resave(saved, target, folders.Add(new FolderCheckpoints()).Store), $"{Name(target)} from {Name(source)}");
            }
        }

        static string Name(ResolvedParallelism l) => $"tp{l.Tp} cp{l.Cp} pp{l.Pp} dp{l.Dp}";
    }

    /// <summary>Restores the newest checkpoint of <paramref name="from"/> at <paramref name="layout"/> and saves it into <paramref name="to"/>.</summary>
    private static CheckpointStore Resave(CheckpointStore from, ResolvedParallelism layout, CheckpointStore to)
    {
        ThreadRanks.Run(layout, gang =>
        {
            using var trainer = Create(gang.Groups, seed: 99, virtualStages: layout.VirtualStages);
            var restored = new TrainerCheckpoint(from, gang.Groups.World, Logger.None).RestoreNewestAsync(trainer, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(2, restored!.Step);
            Save(trainer, to, gang.Groups);
            return 0;
        });
        return to;
    }

    /// <summary>
    /// The planner's memory estimate is the trainer's: the bytes of the busiest stage's TP and DP rank 0's live
    /// parameters, gradients (those backward writes and the fp32 shard it accumulates) and optimizer state (fp32
    /// master and both moments) equal the estimate's figures (with the CPU trainer's fp32 weights), and no rank of a
    /// stage holds more than its TP and DP rank 0. Every layout the training test above trains, and PP2 x DP2 with 2 virtual
    /// stages a rank.
    /// </summary>
    [Theory]
    [InlineData(2, 1, 1, 1)]
    [InlineData(4, 1, 1, 1)]
    [InlineData(2, 1, 1, 2)]
    [InlineData(1, 2, 1, 1)]
    [InlineData(1, 4, 1, 1)]
    [InlineData(2, 2, 1, 1)]
    [InlineData(1, 2, 1, 2)]
    [InlineData(1, 1, 2, 1)]
    [InlineData(1, 1, 4, 1)]
    [InlineData(1, 1, 2, 2)]
    [InlineData(2, 1, 2, 1)]
    [InlineData(2, 1, 2, 2)]
    [InlineData(2, 2, 2, 1)]
    [InlineData(1, 1, 2, 1, 2)]
    [InlineData(1, 1, 2, 2, 2)]
    public void The_live_parameter_gradient_and_optimizer_bytes_of_every_rank_are_the_planners_estimate(int tp, int cp, int pp, int dp, int virtualStages = 1)
    {
        var layout = new ResolvedParallelism(tp, cp, pp, dp) { VirtualStages = virtualStages };
        var estimate = MemoryEstimator.Estimate(
            Config, ParallelLayout.Create(layout, gpusPerNode: tp, "parallelism"), PipelineLayerSplit.LayersPerStage(Config.Layers, layout.PipelineStages), sequenceLength: 16, microBatchSize: 1, microBatches: 4,
            ActivationCheckpointing.None, gpuMemoryGiB: 80, weightBytesPerParameter: sizeof(float), virtualStages: virtualStages);

        var live = ThreadRanks.Run(layout, gang =>
        {
            using var trainer = Create(gang.Groups, virtualStages: virtualStages);
            trainer.Step();
            var parameters = trainer.Model.parameters().ToList();
            var (gradientShard, optimizer) = trainer.Optimizer.StateBytes;
            return (
                Stage: trainer.Model.PipelineRank.Rank,
                First: gang.Groups.Tp.Rank == 0 && gang.Groups.Cp.Rank == 0 && gang.Groups.Dp.Rank == 0,
                Parameters: parameters.Sum(p => p.numel()),
                Weights: parameters.Sum(p => p.numel() * p.ElementSize),
                Gradients: parameters.Sum(p => p.grad!.numel() * p.grad.ElementSize) + gradientShard,
                Optimizer: optimizer);
        });

        var busiest = live.Single(r => r.First && r.Stage == estimate.PipelineStage);
        Assert.Equal((estimate.ParametersPerGpu, estimate.WeightsBytes, estimate.GradientsBytes, estimate.OptimizerBytes), (busiest.Parameters, busiest.Weights, busiest.Gradients, busiest.Optimizer));
        // Within a stage, TP and DP rank 0 holds the most (ceil-sized vocabulary rows and ZeRO shards).
        Assert.All(live, rank =>
        {
            var first = live.Single(r => r.First && r.Stage == rank.Stage);
            Assert.True(rank.Weights + rank.Gradients + rank.Optimizer <= first.Weights + first.Gradients + first.Optimizer);
        });
        // CP and DP replicate the weights; TP and PP split them.
        Assert.True(tp * pp == 1 ? busiest.Parameters == Config.ParameterCount : busiest.Parameters < Config.ParameterCount * 0.6, $"the busiest rank holds {busiest.Parameters} of {Config.ParameterCount} parameters");
    }

    private static void Save(Trainer trainer, CheckpointStore store, ProcessGroups groups) =>
        new StoreCheckpointWriter(new TrainerCheckpoint(store, groups.World, Logger.None), keep: 5)
            .SaveAsync(trainer, stageEnd: false, null, CancellationToken.None).GetAwaiter().GetResult();
}
