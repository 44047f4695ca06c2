using System.Diagnostics;
using LlamaOperator.TestSupport;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Tests.Training;

namespace LlamaTrainer.Tests.Cli;

public class SigtermTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Sigterm_makes_llama_train_checkpoint_its_last_step_and_exit_143()
    {
        using var folder = new TempFolder();
        var corpus = Path.Combine(RepoRoot.Find(), "examples", "corpus", "general.jsonl");
        Assert.Equal(0, await LlamaTrainProcess.RunAsync(folder.Path, "prepare-data", "--source", $"general={corpus}", "--output", "data"));
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "job.yaml"), """
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: { name: sigterm }
            spec:
              model: { preset: tiny, layers: 1, dim: 32, ffnDim: 64, heads: 2, kvHeads: 1 }
              data: { sources: [{ name: general, uri: data/general, weight: 1.0 }] }
              cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
              checkpoint: { storage: { local: { path: ckpt } }, intervalSteps: 100000 }
              stages:
                - { name: pretrain, type: Pretrain, tokens: 100000000, sequenceLength: 32, batchTokens: 64, parallelism: {} }
            """);

        var process = LlamaTrainProcess.Start(folder.Path, "train", "--job", "job.yaml", "--stage", "pretrain");
        var heartbeat = Path.Combine(folder.Path, "ckpt", "heartbeat.json");
        for (var wait = Stopwatch.StartNew(); !File.Exists(heartbeat); await Task.Delay(200))
        {
            Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2) && !process.HasExited, "llama-train wrote no heartbeat");
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(143, process.ExitCode);
        var committed = await new CheckpointStore(new LocalFolderStore(Path.Combine(folder.Path, "ckpt"))).ListCommittedAsync();
        var saved = Assert.Single(committed);
        Assert.False(saved.StageEnd);
        Assert.True(saved.Step >= 1);
    }
}
