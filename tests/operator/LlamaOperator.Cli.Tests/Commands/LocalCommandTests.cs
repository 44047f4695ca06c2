namespace LlamaOperator.Cli.Tests.Commands;

/// <summary>`llamaop local` refuses bad input before it starts anything; the runs themselves are in Local/EndToEnd.</summary>
public sealed class LocalCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llamaop-local-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Missing_manifest_exits_two_naming_the_file()
    {
        var missing = Path.Combine(_dir.FullName, "nope.yaml");

        var run = CliRun.Invoke("local", missing, "--work-dir", _dir.FullName);

        Assert.Equal(2, run.Exit);
        Assert.Contains($"{missing}: no such file (expected a LlamaTrainingJob manifest)", run.Error);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "kubeconfig")), "no cluster was started");
    }

    [Fact]
    public void Invalid_manifest_exits_two_with_the_validation_errors_and_starts_no_cluster()
    {
        var manifest = CliRun.ExampleVariant("tiny-local.yaml", "weight: 0.50", "weight: 0.70");

        var run = CliRun.Invoke("local", manifest, "--work-dir", _dir.FullName);

        Assert.Equal(2, run.Exit);
        Assert.Contains("spec.data.sources", run.Error);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "kubeconfig")), "no cluster was started");
    }
}
