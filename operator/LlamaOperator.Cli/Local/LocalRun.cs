using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Reconciling;
using Serilog;

namespace LlamaOperator.Cli.Local;

/// <summary>What `llamaop local` was asked to do.</summary>
internal sealed record LocalRunOptions(string ManifestPath, string? WorkDirectory, bool KeepRunning);

/// <summary>
/// `llamaop local FILE`: validates the job, makes its local paths absolute (against FILE's folder), finds or builds
/// the trainer, starts the dev cluster and the operator, applies the job, shows its progress until it Succeeded
/// (exit 0, with the final model's location) or Failed (exit 1, with the reason). Cancellation (Ctrl+C) stops the
/// operator and then the pods gracefully, so the trainer checkpoints (exit 130); a rerun resumes from there.
/// Logs of the operator and the dev cluster go to WORK/llamaop.log; the trainer's are `kubectl logs` while the
/// pods exist and stay in WORK/logs until the next run.
/// </summary>
internal static class LocalRun
{
    public const int Succeeded = 0;
    public const int JobFailed = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>How often the job is read for the progress view.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the trainer may take to checkpoint after SIGTERM when the run is stopped (the pods' own grace period).</summary>
    public static readonly TimeSpan StopWait = TimeSpan.FromSeconds(TrainerPodTemplate.TerminationGracePeriodSeconds + 10);

    public static async Task<int> RunAsync(LocalRunOptions options, ProgressConsole console, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var manifest = Path.GetFullPath(options.ManifestPath);
        if (!File.Exists(manifest))
        {
            error.WriteLine($"{options.ManifestPath}: no such file (expected a LlamaTrainingJob manifest)");
            return BadInput;
        }

        var loaded = LoadedJob.TryLoad(manifest, error);
        if (loaded is null)
        {
            return BadInput;
        }

        var root = TrainerLocator.FindRepositoryRoot();
        if (root is null)
        {
            error.WriteLine($"llamaop local runs from a checkout of the repository: no {TrainerLocator.SolutionFile} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
            return BadInput;
        }

        var job = LocalPaths.MakeAbsolute(loaded.Job, Path.GetDirectoryName(manifest)!);
        var workDirectory = Path.GetFullPath(options.WorkDirectory ?? Path.Combine(root, ".work", "local", job.Metadata.Name));
        ClearPreviousRun(workDirectory);
        var logPath = Path.Combine(workDirectory, "llamaop.log");
        await using var log = new LoggerConfiguration().MinimumLevel.Information().WriteTo.File(logPath).CreateLogger();

        IReadOnlyList<string> trainer;
        try
        {
            trainer = await TrainerLocator.EnsureBuiltAsync(root, TrainerLocator.Configuration, output, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine(e.Message);
            return BadInput;
        }

        var clusterOptions = LocalClusterLayout.Options(loaded.Resolved, trainer, Path.Combine(root, TrainerLocator.CrdFolder), workDirectory, log);
        await using var session = await LocalSession.StartAsync(job, clusterOptions, OperatorOptions(), log, cancellationToken);
        var kubeconfig = session.Cluster.KubeconfigPath;
        output.WriteLine($"Job {session.Namespace}/{session.Name} applied to the dev cluster at {session.Cluster.BaseUrl}");
        output.WriteLine($"  watch it:     kubectl --kubeconfig {kubeconfig} get ltj -w");
        output.WriteLine($"  trainer logs: kubectl --kubeconfig {kubeconfig} logs -l {TrainerLabels.Job}={session.Name} --tail 20");
        output.WriteLine($"                (kept after the run in {clusterOptions.ContainerLogDirectory})");
        output.WriteLine($"  operator log: {logPath}");
        output.WriteLine($"  checkpoints:  {TrainerEnvironment.CheckpointUri(JobResolver.Resolve(job).Checkpoint)}");
        output.WriteLine();

        LlamaTrainingJob final;
        try
        {
            final = await session.WaitForEndAsync(console.Show, PollInterval, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("Stopping: the operator first, then the pods (SIGTERM: the trainer checkpoints); run the same command again to resume.");
            await session.StopAsync(StopWait);
            return Interrupted;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error.WriteLine($"The operator stopped before the job finished: {e.Message} (details in {logPath})");
            log.Error(e, "The operator stopped before the job finished");
            await session.StopAsync(StopWait);
            return JobFailed;
        }

        console.Show(final);
        output.WriteLine();
        var exit = Report(final, clusterOptions.ContainerLogDirectory!, output, error);
        if (options.KeepRunning)
        {
            output.WriteLine($"The dev cluster stays up (--keep-running): kubectl --kubeconfig {kubeconfig} get ltj,pods; Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C.
            }
        }

        await session.StopAsync(StopWait);
        return exit;
    }

    /// <summary>
    /// The operator for one local job: no leader election, no HTTP server, progress read every second, the admission
    /// webhook on a free loopback port with a certificate generated at start (the session registers it).
    /// </summary>
    public static OperatorOptions OperatorOptions() => new()
    {
        Workers = 2,
        Webhook = new WebhookOptions { Address = "https://127.0.0.1:0" },
        Identity = "llamaop-local",
        MetricsRegistry = Prometheus.Metrics.NewCustomRegistry(),
        Reconciler = new ReconcilerSettings { ProgressPollInterval = TimeSpan.FromSeconds(1), StorageRetry = TimeSpan.FromSeconds(2) },
    };

    private static int Report(LlamaTrainingJob job, string logs, TextWriter output, TextWriter error)
    {
        var status = job.Status!;
        if (status.Phase == JobPhase.Succeeded)
        {
            // Why it succeeded, from the status: the operator's log may lack its last lines (it is stopped mid-reconcile).
            if (status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Complete && c.Status == "True") is { } complete)
            {
                output.WriteLine($"{complete.Reason}: {complete.Message}");
            }

            output.WriteLine($"Succeeded. Final model: {status.FinalModel}");
            return Succeeded;
        }

        var failed = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Failed && c.Status == "True")
            ?? status.Conditions?.LastOrDefault(c => c.Status == "True");
        error.WriteLine($"Failed: {failed?.Reason ?? "unknown reason"}{(string.IsNullOrEmpty(failed?.Message) ? "" : ": " + failed.Message)}");
        error.WriteLine($"The pods' logs: {logs}");
        return JobFailed;
    }

    /// <summary>Pod folders and logs of an earlier run belong to a cluster that no longer exists.</summary>
    private static void ClearPreviousRun(string workDirectory)
    {
        foreach (var folder in new[] { "pods", LocalClusterLayout.LogFolder })
        {
            var path = Path.Combine(workDirectory, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
