using System.Diagnostics;

namespace LlamaTrainer.Tests.Cli;

/// <summary>Runs the built llama-train (next to the test assembly) as a child process, as a pod or the run script does.</summary>
internal static class LlamaTrainProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "llama-train.dll");

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, new Dictionary<string, string>(), null, args);

    /// <param name="environment">variables added to this process's environment</param>
    /// <param name="output">receives every stdout and stderr line, when given</param>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, Action<string>? output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
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
