using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Training;
using Serilog.Core;
using DataPreparation = LlamaTrainer.Data.Preparation.PrepareDataCommand;

namespace LlamaTrainer.Tests.Training;

public class LongContextGateEvalsTests
{
    private const string Job = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata:
          name: gate
        spec:
          model: { preset: tiny, layers: 2, dim: 32, ffnDim: 64, heads: 4, kvHeads: 2, vocabSize: 100277 }
          data:
            seed: 5
            sources: [{ name: general, uri: data/general, weight: 1.0 }]
          cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
          checkpoint:
            storage: { local: { path: ckpt } }
            intervalSteps: 100
          stages:
            - name: pretrain
              type: Pretrain
              tokens: 128
              sequenceLength: 16
              batchTokens: 64
              parallelism: {}
            - name: long
              type: LongContext
              tokens: 256
              sequenceLengths: [64]
              batchTokens: 128
              gate: { shortContextLength: 16, needleDepths: 2 }
              parallelism: {}
        """;

    private static Task<StageData> Synthetic(LlamaOperator.Api.V1Alpha1.LlamaTrainingJob job, string root, StageSettings stage, CancellationToken _) =>
        Task.FromResult(new StageData(new SyntheticBatchSource(job.Spec.Model.VocabSize!.Value), () => { }));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_long_context_stage_end_manifest_carries_the_gate_evals_and_a_pretrain_one_none()
    {
        using var folder = new TempFolder();
        await PrepareHeldOutAsync(folder.Path);
        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, Job);
        var environment = DistributedEnvironment.From(new Dictionary<string, string>());

        var pretrain = await TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "pretrain" }, Synthetic, environment, Logger.None, CancellationToken.None);
        var longContext = await TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "long", LengthIndex = 0 }, Synthetic, environment, Logger.None, CancellationToken.None);

        Assert.Equal((0, 0), (pretrain, longContext));
        var store = new CheckpointStore(new LocalFolderStore(Path.Combine(folder.Path, "ckpt")));
        var committed = await store.ListCommittedAsync();
        var pretrainEnd = Assert.Single(committed, m => m is { Stage: "pretrain", StageEnd: true });
        var longEnd = Assert.Single(committed, m => m is { Stage: "long", StageEnd: true });
        Assert.Null(pretrainEnd.Evals);
        var evals = Assert.IsType<CheckpointEvals>(longEnd.Evals);
        Assert.Equal(16, evals.ShortContextLength);
        Assert.True(evals.ShortContextLoss is > 0 and < 20, $"short-context loss {evals.ShortContextLoss}");
        var needle = Assert.Single(evals.Needle);
        Assert.Equal((64, 2), (needle.Length, needle.Trials));
        Assert.InRange(needle.Accuracy, 0, 1);

        // The baseline is the held-out loss of the weights the length started from: the pretrain stage end.
        var job = LlamaTrainer.Job.JobManifest.Load(jobPath);
        using var start = new LlamaTransformer(LlamaTrainer.Job.JobManifest.Model(job));
        var loaded = await store.OpenAsync(pretrainEnd.Id);
        await ModelWeights.LoadAsync(start, loaded);
        var evaluator = await CheckpointEvaluator.OpenAsync(job, folder.Path, TorchSharp.torch.CPU, CheckpointEvaluator.DefaultMaxBatches, Logger.None, CancellationToken.None);
        Assert.NotNull(evals.BaselineShortContextLoss);
        Assert.Equal(evaluator.ShortContextLoss(start, 16), evals.BaselineShortContextLoss!.Value, 4);
        Assert.NotEqual(evals.ShortContextLoss!.Value, evals.BaselineShortContextLoss.Value, 6);
    }

    private static async Task PrepareHeldOutAsync(string root)
    {
        var corpus = Path.Combine(root, "general.jsonl");
        var documents = Enumerable.Range(0, 12).Select(i =>
            $$"""{"text":"Document {{i}}: Ana met Omar near the garden. The code of the red door is {{1000 + i * 37}}. A cold wind came from the sea."}""");
        await File.WriteAllLinesAsync(corpus, documents);
        var prepared = await DataPreparation.RunAsync(
            new PrepareDataOptions
            {
                Sources = [new SourceInput("general", [corpus])],
                Output = new LocalFolderStore(Path.Combine(root, "data")),
                HeldOutDocuments = 6,
            },
            Logger.None);
        Assert.Equal(DataPreparation.Success, prepared);
    }
}
