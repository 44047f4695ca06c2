using LlamaOperator.Api.Resolution;
using LlamaTrainer.Cli;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Job;
using LlamaTrainer.Model;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using Serilog.Core;
using DataPreparation = LlamaTrainer.Data.Preparation.PrepareDataCommand;

namespace LlamaTrainer.Tests.Cli;

/// <summary>Sources with prepareFrom: train and eval tokenize the raw file (relative to the manifest) on first use.</summary>
public sealed class PreparedFromRawTests : IDisposable
{
    private const string Job = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata: { name: raw }
        spec:
          model: { preset: tiny, layers: 1, dim: 32, ffnDim: 64, heads: 4, kvHeads: 2 }
          tokenizer: { kind: Bytes }
          data:
            heldOutDocuments: 3
            sources: [{ name: general, uri: data/general, prepareFrom: corpus/general.jsonl, weight: 1.0 }]
          cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
          checkpoint: { storage: { local: { path: ckpt } } }
          stages:
            - { name: pretrain, type: Pretrain, tokens: 1024, sequenceLength: 64, batchTokens: 256, parallelism: {} }
        """;

    private readonly TempFolder _folder = new();
    private readonly string _jobPath;

    public PreparedFromRawTests()
    {
        var corpus = Path.Combine(_folder.Path, "corpus");
        Directory.CreateDirectory(corpus);
        File.WriteAllLines(Path.Combine(corpus, "general.jsonl"), Enumerable.Range(0, 12).Select(i =>
            $$"""{"text":"Document {{i}}: The code of the red door is {{1000 + i * 37}}. Die Tür ist grün."}"""));
        _jobPath = Path.Combine(_folder.Path, "job.yaml");
        File.WriteAllText(_jobPath, Job);
    }

    private string SourceFolder => Path.Combine(_folder.Path, "data", "general");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Training_prepares_the_source_with_the_byte_tokenizer_and_the_model_is_512_wide()
    {
        var job = JobManifest.Load(_jobPath);
        var model = JobManifest.Model(job);

        var data = await TrainingData.OpenAsync(job, _folder.Path, StageSettings.Resolve(JobResolver.Resolve(job), "pretrain", null), CancellationToken.None);
        data.ApplyStageMix();
        var batch = data.Batches.Next(4, 64);

        Assert.Equal(512, model.VocabSize);
        Assert.All(batch.Inputs, id => Assert.InRange(id, 0, 511));
        var index = await ShardIndex.LoadAsync(new LocalFolderStore(SourceFolder));
        Assert.Equal(("bytes", 9L, 3L), (index.Tokenizer, index.Train.Documents, index.HeldOut.Documents));
    }

    [Fact]
    public async Task Evaluation_prepares_the_held_out_split_it_reads()
    {
        var job = JobManifest.Load(_jobPath);
        using var model = new LlamaTransformer(JobManifest.Model(job));

        var evaluator = await CheckpointEvaluator.OpenAsync(job, _folder.Path, TorchSharp.torch.CPU, 2, Logger.None, CancellationToken.None);
        var loss = evaluator.ShortContextLoss(model, 32);

        Assert.True(File.Exists(Path.Combine(SourceFolder, ShardIndex.FileName)));
        Assert.InRange(loss, Math.Log(512) - 1, Math.Log(512) + 1);
    }

    [Fact]
    public async Task Data_tokenized_with_another_tokenizer_is_refused_naming_the_tokenizer_field()
    {
        Assert.Equal(DataPreparation.Success, await DataPreparation.RunAsync(
            new PrepareDataOptions
            {
                Sources = [new SourceInput("general", [Path.Combine(_folder.Path, "corpus", "general.jsonl")])],
                Output = new LocalFolderStore(Path.Combine(_folder.Path, "data")),
            },
            Logger.None));
        var job = JobManifest.Load(_jobPath);
        var stage = StageSettings.Resolve(JobResolver.Resolve(job), "pretrain", null);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingData.OpenAsync(job, _folder.Path, stage, CancellationToken.None));

        Assert.Contains("tokenized with cl100k_base but spec.tokenizer.kind is Bytes", error.Message);
    }

    [Fact]
    public async Task A_missing_raw_file_is_an_error_naming_the_field()
    {
        File.Delete(Path.Combine(_folder.Path, "corpus", "general.jsonl"));
        var job = JobManifest.Load(_jobPath);
        var stage = StageSettings.Resolve(JobResolver.Resolve(job), "pretrain", null);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingData.OpenAsync(job, _folder.Path, stage, CancellationToken.None));

        Assert.Contains($"spec.data.sources[0].prepareFrom '{Path.Combine(_folder.Path, "corpus", "general.jsonl")}' does not exist", error.Message);
    }
}
