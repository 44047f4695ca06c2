using System.Text.Json;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.TestSupport;
using LlamaTrainer.Cli;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Training;
using Serilog.Core;
using DataPreparation = LlamaTrainer.Data.Preparation.PrepareDataCommand;

namespace LlamaTrainer.Tests.Training;

public class ShippedCorpusTrainingTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_tiny_preset_learns_the_shipped_corpus_well_below_chance_in_a_few_steps()
    {
        using var folder = new TempFolder();
        var corpus = Path.Combine(RepoRoot.Find(), "examples", "corpus");
        var names = new[] { "general", "math", "code", "multilingual" };
        var prepared = await DataPreparation.RunAsync(
            new PrepareDataOptions
            {
                Sources = [.. names.Select(n => new SourceInput(n, [Path.Combine(corpus, n + ".jsonl")]))],
                Output = new LocalFolderStore(Path.Combine(folder.Path, "data")),
                HeldOutDocuments = 10,
            },
            Logger.None);
        Assert.Equal(DataPreparation.Success, prepared);

        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, $$"""
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: { name: tiny-corpus }
            spec:
              model: { preset: tiny }
              data:
                sources:
                  - { name: general, uri: data/general, weight: 0.5 }
                  - { name: math, uri: data/math, weight: 0.25 }
                  - { name: code, uri: data/code, weight: 0.17 }
                  - { name: multilingual, uri: data/multilingual, weight: 0.08 }
              cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
              checkpoint: { storage: { local: { path: ckpt } }, intervalSteps: 1000 }
              stages:
                - { name: pretrain, type: Pretrain, tokens: 5120, sequenceLength: 64, batchTokens: 256, microBatchSize: 4, schedule: { warmupSteps: 2 }, parallelism: {} }
            """);

        var exit = await TrainJob.RunAsync(
            new TrainOptions { JobPath = jobPath, Stage = "pretrain", MetricsDir = Path.Combine(folder.Path, "metrics") },
            TrainingData.OpenAsync, DistributedEnvironment.From(new Dictionary<string, string>()), Logger.None, CancellationToken.None);

        Assert.Equal(0, exit);
        var losses = File.ReadAllLines(Path.Combine(folder.Path, "metrics", "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        var chance = Math.Log(ModelPresets.Cl100kVocabSize);
        Assert.Equal(20, losses.Count);
        Assert.InRange(losses[0], chance - 1, chance + 1);
        // A unigram model of this corpus already sits near 0.6 ln(vocab); the bound asks for at least that in 20 steps.
        Assert.True(losses.TakeLast(3).Average() < 0.6 * chance, $"last losses {string.Join(", ", losses.TakeLast(3).Select(l => l.ToString("F2")))} vs 0.6 ln(vocab) = {0.6 * chance:F2}");
    }
}
