using LlamaOperator.Api.Resolution;
using LlamaOperator.TestSupport;
using LlamaTrainer.Cli;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Job;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using Serilog.Core;
using DataPreparation = LlamaTrainer.Data.Preparation.PrepareDataCommand;

namespace LlamaTrainer.Tests.Cli;

public class TrainingDataTests
{
    [Fact]
    public async Task A_stage_that_starts_from_the_previous_stage_cursor_draws_with_its_own_data_mix()
    {
        using var folder = new TempFolder();
        var corpus = Path.Combine(RepoRoot.Find(), "examples", "corpus");
        Assert.Equal(DataPreparation.Success, await DataPreparation.RunAsync(
            new PrepareDataOptions
            {
                Sources = [new SourceInput("general", [Path.Combine(corpus, "general.jsonl")]), new SourceInput("math", [Path.Combine(corpus, "math.jsonl")])],
                Output = new LocalFolderStore(Path.Combine(folder.Path, "data")),
            },
            Logger.None));
        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, """
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: { name: mix }
            spec:
              model: { preset: tiny }
              data: { sources: [{ name: general, uri: data/general, weight: 0.5 }, { name: math, uri: data/math, weight: 0.5 }] }
              cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
              checkpoint: { storage: { local: { path: ckpt } } }
              stages:
                - { name: pretrain, type: Pretrain, tokens: 1024, sequenceLength: 64, batchTokens: 256, parallelism: {} }
                - { name: anneal, type: Anneal, tokens: 1024, sequenceLength: 64, batchTokens: 256, parallelism: {}, dataMix: [{ name: math, weight: 1.0 }] }
            """);
        var job = JobManifest.Load(jobPath);

        var pretrain = await TrainingData.OpenAsync(job, folder.Path, StageSettings.Resolve(JobResolver.Resolve(job), "pretrain", null), CancellationToken.None);
        pretrain.ApplyStageMix();
        pretrain.Batches.Next(4, 64);
        var cursor = pretrain.Batches.SaveCursor();

        var anneal = await TrainingData.OpenAsync(job, folder.Path, StageSettings.Resolve(JobResolver.Resolve(job), "anneal", null), CancellationToken.None);
        anneal.Batches.RestoreCursor(cursor);
        anneal.ApplyStageMix();
        for (int i = 0; i < 4; i++)
        {
            anneal.Batches.Next(4, 64);
        }

        var shares = ((MixedSequenceSampler)anneal.Batches).TokensSinceWeightsSet;
        Assert.Equal(0, shares["general"]);
        Assert.True(shares["math"] > 0);
    }
}
