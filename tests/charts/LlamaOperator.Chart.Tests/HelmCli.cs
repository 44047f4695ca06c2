using System.Diagnostics;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Chart.Tests;

/// <summary>Runs the helm v4 binary that tests/setup-tools.sh unpacks into .tools/bin, with its own config and cache folders.</summary>
public static class HelmCli
{
    public static string RepoRootPath { get; } = RepoRoot.Find();

    public static string ChartPath { get; } = Path.Combine(RepoRootPath, "charts", "llama-operator");

    public static string FullValuesPath { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "full-values.yaml");

    private static readonly string Home = Path.Combine(Path.GetTempPath(), "llamaop-chart-tests-helm");

    public static string BinaryPath
    {
        get
        {
            var path = Path.Combine(RepoRootPath, ".tools", "bin", "helm");
            return File.Exists(path) ? path : throw new FileNotFoundException($"helm is not at {path}; run tests/setup-tools.sh (tests/run.sh does) to install it");
        }
    }

    public static async Task<HelmResult> RunAsync(IEnumerable<string> args, string? kubeconfig = null)
    {
        var start = new ProcessStartInfo(BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(Home, "config");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(Home, "cache");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(Home, "data");
        start.Environment["KUBECONFIG"] = kubeconfig ?? Path.Combine(Home, "no-kubeconfig");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {BinaryPath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung helm would otherwise outlive the test run.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', start.ArgumentList)} did not finish in 2 minutes");
        }
        return new HelmResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>`helm template` of the chart as release "rel" in namespace "ops", CRDs included; fails the test when helm does.</summary>
    public static async Task<string> TemplateAsync(params string[] extraArgs)
    {
        var result = await RunAsync(["template", "rel", ChartPath, "--namespace", "ops", "--include-crds", .. extraArgs]);
        Assert.True(result.ExitCode == 0, $"helm template failed ({result.ExitCode}): {result.Stderr}");
        return result.Stdout;
    }
}
