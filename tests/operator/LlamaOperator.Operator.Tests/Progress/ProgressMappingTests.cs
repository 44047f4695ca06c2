using LlamaOperator.Operator.Progress;
using LlamaOperator.Operator.Tests.Support;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Progress;

namespace LlamaOperator.Operator.Tests.Progress;

/// <summary>What the trainer writes to a local store, read back as the lifecycle sees it.</summary>
public class ProgressMappingTests
{
    [Fact]
    public async Task Heartbeat_newest_checkpoint_evals_and_final_model_are_mapped()
    {
        using var folder = new TempFolder();
        var trainer = new TrainerOutput(folder.Path);
        await trainer.HeartbeatAsync("long", 1, step: 530, tokensPerSecond: 8000);
        await trainer.CommitAsync("long", 1, step: 500);
        await trainer.CommitAsync("long", 1, step: 520, stageEnd: true, lengthIndex: 1, evals: new CheckpointEvals
        {
            ShortContextLoss = 2.1,
            BaselineShortContextLoss = 2.0,
            Needle = [new NeedleResult(512, 1.0, 10), new NeedleResult(1024, 0.7, 10)],
        });
        await trainer.CommitAsync("anneal", 2, step: 600, root: CheckpointStore.FinalFolder);

        var progress = ProgressMapping.Map(await new ProgressReader(new LocalFolderStore(folder.Path)).ReadAsync());

        Assert.Equal(530, progress.Heartbeat!.Step);
        Assert.Equal(8000, progress.Heartbeat.TokensPerSecond);
        Assert.Equal("Running", progress.Heartbeat.State);
        var checkpoint = progress.Checkpoint!;
        Assert.Equal(520, checkpoint.Step);
        Assert.True(checkpoint.StageEnd);
        Assert.Equal(1, checkpoint.LengthIndex);
        Assert.EndsWith("checkpoints/step-0000000520", checkpoint.Uri);
        Assert.Equal(0.7, checkpoint.Evals!.NeedleAccuracy[1024]);
        Assert.Equal(2.0, checkpoint.Evals.BaselineShortContextLoss);
        Assert.EndsWith("final/step-0000000600", progress.FinalModelUri);
    }

    [Fact]
    public async Task An_empty_store_has_no_progress()
    {
        using var folder = new TempFolder();

        var progress = ProgressMapping.Map(await new ProgressReader(new LocalFolderStore(Path.Combine(folder.Path, "not-yet"))).ReadAsync());

        Assert.Null(progress.Heartbeat);
        Assert.Null(progress.Checkpoint);
        Assert.Null(progress.FinalModelUri);
    }
}
