using LlamaTrainer.Collectives;
using LlamaTrainer.Model;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Training;
using Serilog.Core;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Training;

public class StoreCheckpointTests
{
    [Fact]
    public async Task Checkpoints_in_a_folder_store_carry_position_metrics_and_cursor_and_resume_the_run()
    {
        using var checkpoints = new FolderCheckpoints();
        var store = checkpoints.Store;
        var config = TinyConfigs.Gqa();
        var stage = TrainerFactory.Stage(budget: 64 * 4);
        using (var trainer = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize)))
        {
            await new TrainingRun(trainer, checkpoints.Writer, intervalSteps: 2, [], null, new SoloCommunicator(), Logger.None).RunAsync(CancellationToken.None);
        }

        var committed = await store.ListCommittedAsync();
        Assert.Equal([4L, 2L], committed.Select(m => m.Step));
        var last = committed[0];
        Assert.True(last.StageEnd);
        Assert.Equal(("pretrain", 0, 4 * 64L, 16), (last.Stage, last.StageIndex, last.StageTokens, last.SequenceLength));
        Assert.True(last.Metrics.Loss is > 0 and < 10);
        Assert.Equal("16", last.DataCursor); // 4 steps x 4 rows drawn
        Assert.Equal(2, last.FormatVersion);
        Assert.Equal(["manifest.json", "rank-00000.bin", "tensors.json", "trainer-state.json"], Directory.GetFiles(System.IO.Path.Combine(checkpoints.Path, "checkpoints", last.Id)).Select(System.IO.Path.GetFileName).Order());

        // Damage the newest checkpoint's weights: a new trainer falls back to the mid-stage one (step 2) and resumes there.
        var shard = System.IO.Path.Combine(checkpoints.Path, "checkpoints", last.Id, "rank-00000.bin");
        var bytes = await File.ReadAllBytesAsync(shard);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(shard, bytes);
        var data = new SyntheticBatchSource(config.VocabSize);
        using var resumed = TrainerFactory.Create(config, stage, data, seed: 5);
        var restored = await checkpoints.Checkpoint.RestoreNewestAsync(resumed, CancellationToken.None);
        Assert.Equal(committed[1].Id, restored!.Id);
        Assert.Equal(new TrainingState(2, 128, 2, 128), resumed.State);
        Assert.Equal(8, data.Drawn);
    }

    [Fact]
    public async Task Averaging_the_last_k_checkpoints_commits_their_element_wise_mean_as_the_final_model()
    {
        using var folder = new FolderCheckpoints();
        var checkpoints = folder.Store;
        var final = new CheckpointStore(folder.Objects, CheckpointStore.FinalFolder);
        var config = TinyConfigs.Gqa();
        var snapshots = new List<Dictionary<string, Tensor>>();
        using (var trainer = TrainerFactory.Create(config, TrainerFactory.Stage(budget: 64 * 3), new SyntheticBatchSource(config.VocabSize)))
        {
            var writer = folder.Writer;
            for (int i = 0; i < 3; i++)
            {
                trainer.Step();
                await writer.SaveAsync(trainer, stageEnd: i == 2, null, CancellationToken.None);
                snapshots.Add(trainer.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone()));
            }
        }

        var manifest = await CheckpointAveraging.AverageAsync(checkpoints, final, "pretrain", count: 2, config);

        Assert.Equal(3, manifest.Step);
        Assert.Equal("step-0000000003,step-0000000002", manifest.Extra["averagedFrom"]);
        using var averaged = new LlamaTransformer(config);
        await ModelWeights.LoadAsync(averaged, await final.OpenAsync(manifest.Id));
        foreach (var (name, parameter) in averaged.named_parameters())
        {
            using var expected = (snapshots[1][name] + snapshots[2][name]) / 2;
            Assert.True(parameter.allclose(expected, rtol: 1e-6, atol: 1e-7), $"{name} is not the mean of the last two checkpoints");
            Assert.False(parameter.allclose(snapshots[2][name], rtol: 0, atol: 0), $"{name} equals the newest checkpoint instead of the mean");
        }
    }
}
