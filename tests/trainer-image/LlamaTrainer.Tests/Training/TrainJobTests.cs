using LlamaTrainer.Parallel;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Progress;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Training;

public class TrainJobTests
{
    private const string Job = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata:
          name: unit
        spec:
          model: { preset: tiny, layers: 2, dim: 32, ffnDim: 64, heads: 4, kvHeads: 2, vocabSize: 100277 }
          data:
            seed: 5
            sources: [{ name: synthetic, uri: data, weight: 1.0 }]
          cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
          checkpoint:
            storage: { local: { path: ckpt } }
            intervalSteps: 2
            keep: 2
          stages:
            - name: pretrain
              type: Pretrain
              tokens: 320
              sequenceLength: 16
              batchTokens: 64
              parallelism: { tp: 1, cp: 1, pp: 1, dp: 1 }
            - name: anneal
              type: Anneal
              tokens: 128
              sequenceLength: 16
              batchTokens: 64
              parallelism: {}
        """;

    private static Task<StageData> Synthetic(LlamaOperator.Api.V1Alpha1.LlamaTrainingJob job, string root, StageSettings stage, CancellationToken _) =>
        Task.FromResult(new StageData(new SyntheticBatchSource(job.Spec.Model.VocabSize!.Value), () => { }));

    [Fact]
    public async Task Train_runs_a_stage_to_its_budget_then_the_next_stage_continues_from_its_end()
    {
        using var folder = new TempFolder();
        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, Job);
        var environment = DistributedEnvironment.From(new Dictionary<string, string>());

        var first = await TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "pretrain", MetricsDir = Path.Combine(folder.Path, "metrics") }, Synthetic, environment, Logger.None, CancellationToken.None);
        var again = await TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "pretrain" }, Synthetic, environment, Logger.None, CancellationToken.None);
        var anneal = await TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "anneal" }, Synthetic, environment, Logger.None, CancellationToken.None);

        Assert.Equal((0, 0, 0), (first, again, anneal));
        // An earlier stage on storage that holds a later one's checkpoint is refused, as invalid input (a retry cannot cure it).
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "pretrain" }, Synthetic, environment, Logger.None, CancellationToken.None));
        Assert.Contains("of stage 'anneal' (index 1), after the requested stage 'pretrain' (index 0)", refused.Message);
        var objects = new LocalFolderStore(Path.Combine(folder.Path, "ckpt"));
        var committed = await new CheckpointStore(objects).ListCommittedAsync();
        var newest = committed[0];
        Assert.Equal(("anneal", 1, 7L, 7 * 64L, 2 * 64L, true), (newest.Stage, newest.StageIndex, newest.Step, newest.Tokens, newest.StageTokens, newest.StageEnd));
        Assert.Contains(committed, m => m is { Stage: "pretrain", Step: 5, StageEnd: true });
        var heartbeat = await new HeartbeatStore(objects).ReadAsync();
        Assert.Equal((7L, TrainerState.Finished), (heartbeat!.Step, heartbeat.State));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(folder.Path, "metrics", "metrics.jsonl")).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.Path, "metrics", "tensorboard"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Train_refuses_processes_laid_out_otherwise_than_the_stage_and_names_the_field()
    {
        using var folder = new TempFolder();
        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, Job);
        var environment = DistributedEnvironment.From(new Dictionary<string, string>
        {
            ["WORLD_SIZE"] = "2",
            ["RANK"] = "0",
            ["LLAMA_DP"] = "2",
            ["MASTER_ADDR"] = "127.0.0.1",
            ["MASTER_PORT"] = "29500",
        });

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "pretrain" }, Synthetic, environment, Logger.None, CancellationToken.None));

        Assert.Contains("spec.stages[0].parallelism resolves to tp=1 cp=1 pp=1 dp=1", error.Message);
        Assert.Contains("dp=2 (LLAMA_TP/LLAMA_CP/LLAMA_PP/LLAMA_DP)", error.Message);
    }

    [Fact]
    public async Task An_unknown_stage_is_named_in_the_error()
    {
        using var folder = new TempFolder();
        var jobPath = Path.Combine(folder.Path, "job.yaml");
        await File.WriteAllTextAsync(jobPath, Job);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            TrainJob.RunAsync(new TrainOptions { JobPath = jobPath, Stage = "finetune" }, Synthetic, DistributedEnvironment.From(new Dictionary<string, string>()), Logger.None, CancellationToken.None));

        Assert.Contains("'finetune'", error.Message);
        Assert.Contains("pretrain, anneal", error.Message);
    }
}
