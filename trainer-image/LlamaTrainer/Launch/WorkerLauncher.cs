using System.Diagnostics;
using System.Runtime.InteropServices;
using LlamaOperator.Api;
using Serilog;

namespace LlamaTrainer.Launch;

/// <summary>How a node's workers ended: the first failed worker's exit code (0 when none failed) and the cause it wrote.</summary>
public sealed record LaunchOutcome(int Code, string? Cause);

/// <summary>
/// Runs a node's workers to the end with torchrun's semantics: a stop request (SIGTERM) is forwarded to every
/// worker; when one exits non-zero the others get SIGTERM, then SIGKILL after <paramref name="grace"/>, and the
/// launcher returns that first worker's code with its cause: each worker writes its termination message to a file of
/// its own (<see cref="TrainerTerminationMessage.PathVariable"/>), so a peer that fails after the first cannot
/// overwrite the root cause. Workers inherit stdout and stderr, so their log lines pass through.
/// </summary>
public sealed class WorkerLauncher(TimeSpan grace, ILogger log)
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    public async Task<LaunchOutcome> RunAsync(IReadOnlyList<WorkerSpec> workers, CancellationToken stop)
    {
        var messages = Directory.CreateTempSubdirectory("llama-train-workers-");
        var running = new List<(WorkerSpec Spec, Process Process)>();
        try
        {
            foreach (var spec in workers)
            {
                var message = MessageFile(messages, spec);
                File.WriteAllText(message, "");
                running.Add((spec, Start(spec, message)));
            }

            log.Information("Started {Workers} workers (ranks {FirstRank}..{LastRank})", running.Count, workers[0].Rank, workers[^1].Rank);
            using var forward = stop.Register(() =>
            {
                log.Warning("Stop requested: forwarding SIGTERM to the workers");
                Signal(running, SigTerm);
            });

            var exits = running.Select(async w =>
            {
                await w.Process.WaitForExitAsync(CancellationToken.None);
                return (w.Spec, Code: w.Process.ExitCode);
            }).ToList();
            (WorkerSpec Spec, int Code)? firstFailure = null;
            var pending = new List<Task<(WorkerSpec Spec, int Code)>>(exits);
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                var (spec, code) = await done;
                if (code != 0 && firstFailure is null)
                {
                    firstFailure = (spec, code);
                    // After a stop request every worker is already stopping (and exits 143): nothing to escalate.
                    if (pending.Count > 0 && !stop.IsCancellationRequested)
                    {
                        log.Error("Worker rank {WorkerRank} exited with code {ExitCode}: stopping the other workers", spec.Rank, code);
                        Signal(running, SigTerm);
                        _ = KillAfterGraceAsync(running, [.. pending]);
                    }
                }
            }

            return firstFailure is { } failed ? new LaunchOutcome(failed.Code, Cause(messages, failed.Spec, failed.Code)) : new LaunchOutcome(0, null);
        }
        finally
        {
            Signal(running, SigKill);
            foreach (var (_, process) in running)
            {
                process.Dispose();
            }

            messages.Delete(recursive: true);
        }
    }

    private static string MessageFile(DirectoryInfo folder, WorkerSpec spec) => Path.Combine(folder.FullName, $"rank-{spec.Rank}");

    /// <summary>What the failed worker wrote, or its exit code when it wrote nothing (killed, or it crashed before it could).</summary>
    private static string Cause(DirectoryInfo folder, WorkerSpec spec, int code)
    {
        var written = File.ReadAllText(MessageFile(folder, spec)).Trim();
        return written.Length > 0 ? $"rank {spec.Rank}: {written}" : $"worker rank {spec.Rank} exited with code {code}";
    }

    private async Task KillAfterGraceAsync(IReadOnlyList<(WorkerSpec Spec, Process Process)> running, IReadOnlyList<Task<(WorkerSpec Spec, int Code)>> pending)
    {
        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(grace)) != all)
        {
            log.Warning("Workers still running {Grace} after SIGTERM: killing them", grace);
            Signal(running, SigKill);
        }
    }

    private static Process Start(WorkerSpec spec, string messageFile)
    {
        var info = new ProcessStartInfo(spec.FileName) { UseShellExecute = false };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        info.Environment[TrainerTerminationMessage.PathVariable] = messageFile;

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start worker rank {spec.Rank} ({spec.FileName})");
    }

    private static void Signal(IEnumerable<(WorkerSpec Spec, Process Process)> running, int signal)
    {
        foreach (var (_, process) in running)
        {
            try
            {
                if (!process.HasExited)
                {
                    _ = Kill(process.Id, signal);
                }
            }
            catch (InvalidOperationException)
            {
                // not started or already reaped
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
