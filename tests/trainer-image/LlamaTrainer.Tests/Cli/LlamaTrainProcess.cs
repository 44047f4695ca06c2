using System.Diagnostics;

namespace LlamaTrainer.Tests.Cli;

/// <summary>Runs the built llama-train (next to the test assembly) as a child process, as a pod or the run script does.</summary>
internal static class LlamaTrainProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "llama-train.dll");

    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task<int> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
