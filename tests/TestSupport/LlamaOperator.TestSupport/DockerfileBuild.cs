using System.Diagnostics;
using System.Text.Json;

namespace LlamaOperator.TestSupport;

/// <summary>
/// A Dockerfile read as far as tests can check it without a Docker engine: its stages (FROM, COPY, RUN, USER,
/// ENTRYPOINT), and a replay of the build stage (its COPYs into a fresh folder, honouring .dockerignore's folder
/// patterns, then its RUN commands there) so that the publish command the image runs is known to work.
/// </summary>
public sealed class DockerfileBuild
{
    private DockerfileBuild(IReadOnlyList<DockerfileStage> stages) => Stages = stages;

    public IReadOnlyList<DockerfileStage> Stages { get; }

    public DockerfileStage Final => Stages[^1];

    public static DockerfileBuild Load(string path)
    {
        var stages = new List<DockerfileStage>();
        var joined = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        foreach (var raw in joined)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (instruction, rest) = space < 0 ? (line.ToUpperInvariant(), "") : (line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction == "FROM")
            {
                var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new DockerfileStage(words[0], words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null));
                continue;
            }
            if (stages.Count == 0)
            {
                throw new InvalidDataException($"{path}: {instruction} before the first FROM");
            }
            stages[^1].Instructions.Add((instruction, rest));
        }
        return stages.Count > 0 ? new DockerfileBuild(stages) : throw new InvalidDataException($"{path}: no FROM");
    }

    /// <summary>
    /// Copies what the named stage COPYs from the context (repoRoot) into a fresh folder and runs its RUN commands
    /// there with bash, WORKDIR and absolute output paths mapped under that folder.
    /// </summary>
    /// <param name="rewrite">Applied to each RUN command (e.g. to pick the CPU backend where CUDA packages are not served).</param>
    /// <returns>The folder that stands for the image's root: the stage's /out is root/out.</returns>
    public async Task<(string Root, int ExitCode, string Output)> ReplayStageAsync(string stageName, string repoRoot, Func<string, string> rewrite, TimeSpan timeout)
    {
        var stage = Stages.Single(s => s.Name == stageName);
        var root = Path.Combine(Path.GetTempPath(), "llamaop-image-" + Guid.NewGuid().ToString("N")[..8]);
        var workdir = root;
        var ignored = DockerIgnore(repoRoot);
        var output = new System.Text.StringBuilder();
        foreach (var (instruction, args) in stage.Instructions)
        {
            switch (instruction)
            {
                case "WORKDIR":
                    workdir = Path.Combine(root, args.TrimStart('/'));
                    Directory.CreateDirectory(workdir);
                    break;
                case "COPY" when !args.StartsWith("--from", StringComparison.Ordinal):
                    var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var destination = Path.Combine(workdir, words[^1]);
                    var intoFolder = words[^1].EndsWith('/') || words.Length > 2;
                    foreach (var source in words[..^1])
                    {
                        CopyFromContext(Path.Combine(repoRoot, source), destination, intoFolder, ignored);
                    }
                    break;
                case "RUN":
                    var command = rewrite(args).Replace(" /out", " " + Path.Combine(root, "out"), StringComparison.Ordinal);
                    var (code, text) = await RunBashAsync(command, workdir, timeout);
                    output.AppendLine(text);
                    if (code != 0)
                    {
                        return (root, code, output.ToString());
                    }
                    break;
            }
        }
        return (root, 0, output.ToString());
    }

    // Docker's COPY: a folder's contents go into the destination; a file goes into it when it names a folder.
    private static void CopyFromContext(string source, string destination, bool intoFolder, IReadOnlyList<string> ignored)
    {
        if (File.Exists(source))
        {
            var target = intoFolder ? Path.Combine(destination, Path.GetFileName(source)) : destination;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target, overwrite: true);
            return;
        }
        if (!Directory.Exists(source))
        {
            throw new FileNotFoundException($"COPY source {source} does not exist in the build context");
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => ignored.Contains(part)))
            {
                continue;
            }
            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>The folder names .dockerignore excludes (its "name/" and "**/name/" patterns).</summary>
    private static List<string> DockerIgnore(string repoRoot)
    {
        var path = Path.Combine(repoRoot, ".dockerignore");
        return !File.Exists(path) ? [] : File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Replace("**/", "", StringComparison.Ordinal).TrimEnd('/'))
            .ToList();
    }

    private static async Task<(int, string)> RunBashAsync(string command, string workdir, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workdir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        // A test host's MSBuild settings must not leak into the nested build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The argv of a JSON-form ENTRYPOINT or CMD, e.g. ["dotnet", "/app/llamaop.dll"].</summary>
    public static IReadOnlyList<string> ExecForm(string args) =>
        JsonSerializer.Deserialize<List<string>>(args) ?? throw new InvalidDataException($"not an exec-form argument list: {args}");
}
