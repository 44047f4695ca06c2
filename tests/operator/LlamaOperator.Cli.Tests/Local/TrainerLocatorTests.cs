using LlamaOperator.Cli.Local;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests.Local;

public sealed class TrainerLocatorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llamaop-locator-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Repository_root_is_the_nearest_folder_with_the_solution_file()
    {
        Assert.Equal(RepoRoot.Find(), TrainerLocator.RepositoryRoot(AppContext.BaseDirectory));
        Assert.Null(TrainerLocator.RepositoryRoot(_dir.FullName));
    }

    [Fact]
    public void Trainer_dll_lives_in_the_configuration_output_of_the_trainer_project()
    {
        Assert.Equal(
            Path.Combine("/repo", "trainer-image", "LlamaTrainer", "bin", "Release", "net10.0", "llama-train.dll"),
            TrainerLocator.TrainerDll("/repo", "Release"));
    }

    [Fact]
    public void Newest_source_counts_trainer_and_api_sources_but_not_build_outputs()
    {
        var root = _dir.FullName;
        var source = Write(root, "trainer-image/LlamaTrainer/Training/Trainer.cs", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Write(root, "operator/LlamaOperator.Api/V1Alpha1/Job.cs", new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        Write(root, "trainer-image/LlamaTrainer/obj/Debug/Generated.cs", new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        Write(root, "operator/LlamaOperator.Cli/Program.cs", new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), TrainerLocator.NewestSource(root));

        File.SetLastWriteTimeUtc(source, new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), TrainerLocator.NewestSource(root));
    }

    private static string Write(string root, string relative, DateTime time)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "//");
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }
}
