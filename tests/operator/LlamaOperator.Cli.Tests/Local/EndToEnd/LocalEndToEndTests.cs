using System.Globalization;
using System.Text.Json;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Cli.Tests.Local.EndToEnd;

/// <summary>
/// The operator, the dev cluster and the real trainer together on the micro recipe, as `llamaop local` runs them:
/// the happy path through every stage, and the failures the operator must survive. One class, so the runs do not
/// compete for the CPU.
/// </summary>
[Trait("Category", "Slow")]
public class LocalEndToEndTests(UninterruptedRun uninterrupted) : IClassFixture<UninterruptedRun>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Job_goes_through_pretrain_both_long_context_lengths_anneal_and_averaging_to_the_final_model()
    {
        var final = uninterrupted.Final;
        Assert.Equal(JobPhase.Succeeded, final.Status!.Phase);
        // Running stages in order (a LongContext length change passes through Restarting, so one may show twice).
        var running = uninterrupted.Visited.Where(v => v.StartsWith("Running", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(running.SequenceEqual(["Running pretrain@", "Running long-context@0", "Running long-context@1", "Running anneal@"]), string.Join(" -> ", uninterrupted.Visited));
        Assert.Equal("Averaging", uninterrupted.Visited[^2]);
        // Stages last a second or three here and progress is read every second: some stage must show its tokens.
        Assert.True(uninterrupted.StageTokens.Values.Any(t => t > 0), "status.stage.tokens moved while a stage ran");
        Assert.Equal("Succeeded", uninterrupted.Visited[^1]);
        Assert.Equal(0, final.Status.Restarts?.Total ?? 0);
        Assert.Contains(final.Status.Conditions!, c => c.Type == "Complete" && c.Status == "True");

        // The final model is the average of the anneal stage's last two checkpoints, with checksummed shards.
        Assert.StartsWith("file://" + uninterrupted.Micro.Checkpoints, final.Status.FinalModel);
        Assert.NotEmpty(MicroJob.FinalModelChecksums(final));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(new Uri(final.Status.FinalModel!).LocalPath, "manifest.json")));
        Assert.Equal("2", manifest.RootElement.GetProperty("extra").GetProperty("averagedCount").GetString());

        // Every stage (and LongContext length) ended with a stage-end checkpoint; the lengths carry the gate's evals.
        var stageEnds = uninterrupted.Micro.CheckpointManifests().Where(m => m.GetProperty("stageEnd").GetBoolean()).ToList();
        Assert.Equal(["pretrain/", "long-context/0", "long-context/1", "anneal/"], stageEnds.Select(m => $"{m.GetProperty("stage").GetString()}/{Length(m)}"));
        Assert.All(stageEnds.Where(m => m.GetProperty("stage").GetString() == "long-context"), m => Assert.Equal(JsonValueKind.Object, m.GetProperty("evals").ValueKind));
    }

    [Fact]
    public async Task Pod_killed_mid_stage_restarts_the_gang_from_its_checkpoint_and_ends_with_the_same_weights()
    {
        var micro = MicroJob.Create();
        var (session, log) = await micro.StartAsync();
        await using (session)
        {
            using (log)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                // Pretrain takes a few seconds: watch its checkpoints in the store, not the status (updated every second).
                while (!micro.CheckpointManifests().Any(m => m.GetProperty("stage").GetString() == "pretrain"))
                {
                    await Task.Delay(20, timeout.Token);
                }

                // Pretrain runs 2 data-parallel ranks: killing rank 0's pod leaves rank 1 waiting for it in a collective.
                var pod = new StageNames(session.Name, "pretrain", session.Namespace).Pod(0);
                await session.Cluster.KillPodProcessAsync(session.Namespace, pod);
                var killedAt = DateTime.UtcNow;
                var atKill = micro.CheckpointManifests()[^1];

                var final = await session.WaitForEndAsync(_ => { }, Poll, timeout.Token);

                Assert.Equal(JobPhase.Succeeded, final.Status!.Phase);
                Assert.Equal(1, final.Status.Restarts!.Total);
                Assert.Equal(1, final.Status.Restarts.Counted);
                // The restart names the killed pod (the root cause), not the peer that saw it die, and came well within
                // the collective timeout (30 s) plus 5 s: the surviving rank got a peer failure at once.
                Assert.Equal(["PodFailed"], final.Status.Restarts.ByReason!.Keys);
                Assert.True(final.Status.Restarts.LastRestartTime!.Value.ToUniversalTime() - killedAt < TimeSpan.FromSeconds(35), $"restart {final.Status.Restarts.LastRestartTime:O}, kill {killedAt:O}");
                Assert.Equal("pretrain", atKill.GetProperty("stage").GetString());
                Assert.False(atKill.GetProperty("stageEnd").GetBoolean(), "the kill landed before pretrain's last step");
                Assert.Equal(MicroJob.FinalModelChecksums(uninterrupted.Final), MicroJob.FinalModelChecksums(final));
            }
        }
    }

    [Fact]
    public async Task Trainer_without_heartbeat_for_the_hang_timeout_is_restarted()
    {
        // The first trainer process hangs (sleeps, no heartbeat); the one the restart creates is the real trainer.
        var micro = MicroJob.Create(yaml => yaml.Replace("hangTimeoutSeconds: 60", "hangTimeoutSeconds: 10", StringComparison.Ordinal));
        var marker = Path.Combine(micro.Folder, "hung-once");
        var trainer = await MicroJob.TrainerAsync();
        var script = $"if [ -e '{marker}' ]; then exec {string.Join(' ', trainer.Select(a => $"'{a}'"))} \"$@\"; fi; touch '{marker}'; exec sleep 600";
        var (session, log) = await micro.StartAsync(["sh", "-c", script, "llama-train"]);
        await using (session)
        {
            using (log)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                var restarted = await Until(session, j => j.Status?.Restarts?.ByReason?.GetValueOrDefault("Hang") == 1, timeout.Token);
                Assert.Contains("no heartbeat", restarted.Status!.Conditions!.Select(c => c.Message ?? "").Aggregate((a, b) => a + "\n" + b), StringComparison.Ordinal);

                // The real trainer then trains (on a crowded machine its start-up may itself outlast 10 s: more Hang restarts, still fine).
                var training = await Until(session, j => j.Status?.Phase == JobPhase.Running && j.Status.Progress?.Step > 0, timeout.Token);
                Assert.True(training.Status!.Restarts!.ByReason!["Hang"] >= 1);
                Assert.True(File.Exists(marker));
            }
        }
    }

    [Fact]
    public async Task Trainer_failing_more_often_than_max_restarts_fails_the_job_with_the_reason()
    {
        var micro = MicroJob.Create(yaml => yaml.Replace("maxRestarts: 3", "maxRestarts: 1", StringComparison.Ordinal));
        var (session, log) = await micro.StartAsync(["sh", "-c", "echo 'CUDA error: an illegal memory access' >&2; exit 3", "llama-train"]);
        await using (session)
        {
            using (log)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                var final = await session.WaitForEndAsync(_ => { }, Poll, timeout.Token);

                Assert.Equal(JobPhase.Failed, final.Status!.Phase);
                Assert.Equal(2, final.Status.Restarts!.Counted);
                var failed = Assert.Single(final.Status.Conditions!, c => c.Type == "Failed");
                Assert.Equal("True", failed.Status);
                Assert.Equal("MaxRestartsExceeded", failed.Reason);
            }
        }
    }

    [Fact]
    public void Llamaop_local_prints_where_to_look_shows_progress_exits_zero_with_the_final_model_and_run_again_succeeds_at_once()
    {
        var micro = MicroJob.Create();
        var manifest = Path.Combine(micro.Folder, "micro.yaml");

        var run = CliRun.Invoke("local", manifest, "--work-dir", Path.Combine(micro.Folder, "cluster"));

        Assert.True(run.Exit == 0, run.Output + run.Error);
        var kubeconfig = Path.Combine(micro.Folder, "cluster", "kubeconfig");
        Assert.Contains($"kubectl --kubeconfig {kubeconfig} get ltj -w", run.Output);
        Assert.Contains("micro Running stage 1/3 pretrain", run.Output);
        var finalModel = System.Text.RegularExpressions.Regex.Match(run.Output, @"Succeeded\. Final model: (file://" + System.Text.RegularExpressions.Regex.Escape(micro.Checkpoints) + "/final/step-\\d+)");
        Assert.True(finalModel.Success, run.Output);
        Assert.Contains("JobSucceeded: checkpoint averaging finished", run.Output);
        Assert.True(File.Exists(Path.Combine(micro.Folder, "cluster", "llamaop.log")));

        // Run again: the storage holds the finished recipe, so the new job succeeds at once and no trainer starts.
        var again = CliRun.Invoke("local", manifest, "--work-dir", Path.Combine(micro.Folder, "cluster"));

        Assert.True(again.Exit == 0, again.Output + again.Error);
        Assert.Contains($"Succeeded. Final model: {finalModel.Groups[1].Value}", again.Output);
        Assert.DoesNotContain("Running stage", again.Output);
        Assert.Contains("RecipeAlreadyComplete: the checkpoint storage already holds this recipe's end", again.Output);
        Directory.Delete(micro.Folder, recursive: true);
    }

    [Fact]
    public async Task Cancelled_local_run_stops_the_pods_gracefully_so_the_trainer_checkpoints_where_it_was()
    {
        // No interval checkpoints: a checkpoint exists only if the trainer saved one when told to stop (SIGTERM). A pretrain
        // of 2,400 steps cannot end while the operator and then the pods are being stopped.
        var micro = MicroJob.Create(yaml => yaml
            .Replace("intervalSteps: 2", "intervalSteps: 100000", StringComparison.Ordinal)
            .Replace("tokens: 6144", "tokens: 614400", StringComparison.Ordinal));
        var heartbeat = Path.Combine(micro.Checkpoints, "heartbeat.json");
        using var cancel = new CancellationTokenSource();
        var output = new StringWriter();
        var run = LocalRun.RunAsync(
            new LocalRunOptions(Path.Combine(micro.Folder, "micro.yaml"), Path.Combine(micro.Folder, "cluster"), KeepRunning: false),
            new ProgressConsole(TextWriter.Null, redraw: false, int.MaxValue, TimeProvider.System, TimeSpan.FromSeconds(10)),
            output,
            output,
            cancel.Token);
        while (!run.IsCompleted && !(File.Exists(heartbeat) && Step(File.ReadAllText(heartbeat)) >= 2))
        {
            await Task.Delay(20);
        }

        await cancel.CancelAsync();
        var exit = await run;

        Assert.True(exit == LocalRun.Interrupted, output.ToString());
        Assert.Contains("Stopping: the operator first, then the pods", output.ToString());
        var saved = Assert.Single(micro.CheckpointManifests());
        Assert.Equal("pretrain", saved.GetProperty("stage").GetString());
        Assert.False(saved.GetProperty("stageEnd").GetBoolean());
        Assert.Equal(Step(File.ReadAllText(heartbeat)), saved.GetProperty("step").GetInt64());
        Directory.Delete(micro.Folder, recursive: true);
    }

    private static long Step(string heartbeatJson)
    {
        try
        {
            using var heartbeat = JsonDocument.Parse(heartbeatJson);
            return heartbeat.RootElement.GetProperty("step").GetInt64();
        }
        catch (JsonException)
        {
            return -1; // caught mid-write
        }
    }

    private static string Length(JsonElement manifest) =>
        manifest.GetProperty("lengthIndex") is { ValueKind: JsonValueKind.Number } index ? index.GetInt32().ToString(CultureInfo.InvariantCulture) : "";

    private static async Task<LlamaTrainingJob> Until(Cli.Local.LocalSession session, Func<LlamaTrainingJob, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await session.ReadJobAsync(cancellationToken);
            if (condition(job))
            {
                return job;
            }

            if (job.Status?.Phase is JobPhase.Succeeded or JobPhase.Failed)
            {
                throw new InvalidOperationException($"the job ended ({job.Status.Phase}) before the awaited condition");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }
}
