using System.Diagnostics;

namespace LlamaOperator.TestSupport;

/// <summary>The machine's kubectl (1.32) against a cluster's kubeconfig, as a user runs it.</summary>
public static class Kubectl
{
    public const string Path = "/usr/bin/kubectl";

    /// <summary>Runs kubectl with <paramref name="args"/>; its exit code and stdout + stderr. Killed after <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task<(int Code, string Output)> RunAsync(string kubeconfig, string[] args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--kubeconfig", kubeconfig, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
