using System.Diagnostics;
using System.Reflection;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// Finds the repository checkout and the built trainer (`trainer-image/LlamaTrainer/bin/CONFIGURATION/net10.0/llama-train.dll`,
/// in the configuration llamaop itself was built in), building it with `dotnet build` when it is missing.
/// </summary>
internal static class TrainerLocator
{
    public const string SolutionFile = "LlamaOperator.sln";
    public const string TrainerProject = "trainer-image/LlamaTrainer";

    /// <summary>The checkout's folder of generated CRDs.</summary>
    public const string CrdFolder = "crds";

    /// <summary>The configuration this llamaop was built in (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(TrainerLocator).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds LlamaOperator.sln; null when there is none.</summary>
    public static string? RepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    /// <summary>The checkout this llamaop was built in, else the one around the current folder; null outside a checkout.</summary>
    public static string? FindRepositoryRoot() =>
        RepositoryRoot(AppContext.BaseDirectory) ?? RepositoryRoot(Environment.CurrentDirectory);

    public static string TrainerDll(string repositoryRoot, string configuration) =>
        Path.Combine(repositoryRoot, TrainerProject, "bin", configuration, "net10.0", "llama-train.dll");

    /// <summary>The trainer's host command (`dotnet llama-train.dll`), built first when the dll is missing or older than its sources.</summary>
    public static async Task<IReadOnlyList<string>> EnsureBuiltAsync(string repositoryRoot, string configuration, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = TrainerDll(repositoryRoot, configuration);
        var why = !File.Exists(dll) ? "is missing" : NewestSource(repositoryRoot) > File.GetLastWriteTimeUtc(dll) ? "is older than its sources" : null;
        if (why is not null)
        {
            output.WriteLine($"The trainer is not built ({Path.GetRelativePath(repositoryRoot, dll)} {why}): dotnet build {TrainerProject} -c {configuration}");
            var build = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot, UseShellExecute = false };
            foreach (var arg in new[] { "build", TrainerProject, "-c", configuration, "--nologo", "-v", "quiet" })
            {
                build.ArgumentList.Add(arg);
            }

            using var process = Process.Start(build) ?? throw new InvalidOperationException("could not start dotnet build");
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0 || !File.Exists(dll))
            {
                throw new InvalidOperationException($"dotnet build {TrainerProject} -c {configuration} failed (exit code {process.ExitCode}); {dll} is still missing");
            }
        }

        return ["dotnet", dll];
    }

    /// <summary>The newest write time of what the trainer is built from: its projects, the shared API project and the build settings.</summary>
    public static DateTime NewestSource(string repositoryRoot)
    {
        var files = new[] { "trainer-image", Path.Combine("operator", "LlamaOperator.Api") }
            .Select(folder => Path.Combine(repositoryRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Concat(Directory.EnumerateFiles(repositoryRoot, "Directory.*.props"));
        return files.Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(DateTime.MinValue).Max();
    }
}
