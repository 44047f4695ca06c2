using System.Text.Json;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;
using LlamaOperator.DevCluster;
using LlamaOperator.TestSupport;
using Serilog;

namespace LlamaOperator.Cli.Tests.Local.EndToEnd;

/// <summary>
/// TestData/micro-local.yaml in a fresh folder of its own (data shards, checkpoints, dev cluster, log), started the
/// way `llamaop local` starts a job: local paths made absolute, the dev cluster laid out for the job with the built
/// trainer, the operator in-process.
/// </summary>
internal sealed class MicroJob
{
    private MicroJob(string folder, LlamaTrainingJob job)
    {
        Folder = folder;
        Job = job;
    }

    public string Folder { get; }
    public LlamaTrainingJob Job { get; }
    public string Checkpoints => Job.Spec.Checkpoint.Storage.Local!.Path;

    /// <summary>The manifest with its placeholders filled in and <paramref name="edit"/> applied to the YAML text.</summary>
    public static MicroJob Create(Func<string, string>? edit = null)
    {
        var root = RepoRoot.Find();
        var folder = Directory.CreateTempSubdirectory("llamaop-e2e-").FullName;
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "micro-local.yaml"))
            .Replace("DATA/", "data/", StringComparison.Ordinal)
            .Replace("CHECKPOINTS", "checkpoints", StringComparison.Ordinal)
            .Replace("CORPUS/", Path.Combine(root, "examples", "corpus") + "/", StringComparison.Ordinal);
        text = edit?.Invoke(text) ?? text;
        var manifest = Path.Combine(folder, "micro.yaml");
        File.WriteAllText(manifest, text);
        return new MicroJob(folder, LocalPaths.MakeAbsolute(ManifestReader.ReadFile(manifest), folder));
    }

    /// <summary>The trainer's host command, built when missing (it is, after a solution build).</summary>
    public static Task<IReadOnlyList<string>> TrainerAsync() =>
        TrainerLocator.EnsureBuiltAsync(RepoRoot.Find(), TrainerLocator.Configuration, TextWriter.Null, CancellationToken.None);

    /// <summary>Starts the dev cluster and the operator and applies the job; <paramref name="trainer"/> replaces the `llama-train` command.</summary>
    public async Task<(LocalSession Session, Serilog.Core.Logger Log)> StartAsync(IReadOnlyList<string>? trainer = null)
    {
        var built = await TrainerAsync();
        var log = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.File(Path.Combine(Folder, "llamaop.log")).CreateLogger();
        var options = LocalClusterLayout.Options(JobResolver.Resolve(Job), built, Path.Combine(RepoRoot.Find(), "crds"), Path.Combine(Folder, "cluster"), log);
        if (trainer is not null)
        {
            options = options with
            {
                CommandMap = new Dictionary<string, IReadOnlyList<string>> { [LocalClusterLayout.TrainerCommand] = trainer },
            };
        }

        return (await LocalSession.StartAsync(Job, options, LocalRun.OperatorOptions(), log, CancellationToken.None), log);
    }

    /// <summary>The sha256 of each shard of the final model, by shard name (from its manifest).</summary>
    public static IReadOnlyDictionary<string, string> FinalModelChecksums(LlamaTrainingJob job)
    {
        var folder = new Uri(job.Status!.FinalModel!).LocalPath;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        return manifest.RootElement.GetProperty("shards").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("sha256").GetString()!);
    }

    /// <summary>The committed checkpoint manifests of the store, oldest first.</summary>
    public IReadOnlyList<JsonElement> CheckpointManifests() =>
        !Directory.Exists(Path.Combine(Checkpoints, "checkpoints")) ? [] :
        [.. Directory.GetDirectories(Path.Combine(Checkpoints, "checkpoints")).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "manifest.json")))
            .Select(d => JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "manifest.json"))).RootElement.Clone())];
}
