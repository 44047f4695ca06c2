using System.Text.Json;
using LlamaOperator.TestSupport;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Tests.Training;

namespace LlamaTrainer.Tests.Cli;

public class RawToFinalModelTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_cli_takes_a_job_from_raw_json_lines_to_an_evaluated_final_model()
    {
        using var folder = new TempFolder();
        var corpus = Path.Combine(RepoRoot.Find(), "examples", "corpus", "multilingual.jsonl");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "job.yaml"), $$"""
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: { name: raw-to-final }
            spec:
              model: { preset: tiny, layers: 1, dim: 32, ffnDim: 64, heads: 2, kvHeads: 1 }
              tokenizer: { kind: Bytes }
              data:
                heldOutDocuments: 5
                sources: [{ name: multilingual, uri: data/multilingual, prepareFrom: "{{corpus}}", weight: 1.0 }]
              cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
              checkpoint: { storage: { local: { path: ckpt } }, intervalSteps: 1, keep: 3 }
              stages:
                - { name: pretrain, type: Pretrain, tokens: 256, sequenceLength: 32, batchTokens: 64, parallelism: {} }
                - { name: anneal, type: Anneal, tokens: 192, sequenceLength: 32, batchTokens: 64, parallelism: {}, averaging: { checkpoints: 2 } }
            """);

        foreach (var stage in new[] { "pretrain", "anneal" })
        {
            Assert.Equal(0, await LlamaTrainProcess.RunAsync(folder.Path, "train", "--job", "job.yaml", "--stage", stage));
        }
        Assert.Equal(0, await LlamaTrainProcess.RunAsync(folder.Path, "average", "--job", "job.yaml", "--stage", "anneal"));
        Assert.Equal(0, await LlamaTrainProcess.RunAsync(folder.Path, "eval", "--job", "job.yaml", "--final", "--short-context", "32", "--output", "final.json"));

        var index = await ShardIndex.LoadAsync(new LocalFolderStore(Path.Combine(folder.Path, "data", "multilingual")));
        Assert.Equal(("bytes", 5L), (index.Tokenizer, index.HeldOut.Documents));
        var objects = new LocalFolderStore(Path.Combine(folder.Path, "ckpt"));
        var final = Assert.Single(await new CheckpointStore(objects, CheckpointStore.FinalFolder).ListCommittedAsync());
        var evals = JsonSerializer.Deserialize<CheckpointEvals>(await File.ReadAllBytesAsync(Path.Combine(folder.Path, "final.json")), StoredJson.Options)!;
        Assert.Equal(32, evals.ShortContextLength);
        Assert.InRange(evals.ShortContextLoss!.Value, 0.5, Math.Log(512) + 1);
        Assert.True(await objects.ExistsAsync($"evals/final/{final.Id}.json"));
    }
}
