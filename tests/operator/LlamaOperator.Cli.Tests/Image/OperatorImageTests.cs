using System.Diagnostics;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests.Image;

/// <summary>The root Dockerfile (the operator image), checked without a Docker engine.</summary>
public class OperatorImageTests
{
    private static readonly string Root = RepoRoot.Find();
    private static readonly DockerfileBuild Dockerfile = DockerfileBuild.Load(Path.Combine(Root, "Dockerfile"));

    [Fact]
    public void Multi_stage_non_root_and_only_the_published_output_in_the_final_image()
    {
        Assert.True(Dockerfile.Stages.Count >= 2, "the SDK build and the runtime image are separate stages");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Dockerfile.Stages[0].BaseImage);
        var final = Dockerfile.Final;
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", final.BaseImage);
        Assert.Equal(["--from=build /out ./"], final.All("COPY"));
        Assert.Empty(final.All("RUN"));
        var user = Assert.Single(final.All("USER"));
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        Assert.Equal(["dotnet", "/app/llamaop.dll"], DockerfileBuild.ExecForm(Assert.Single(final.All("ENTRYPOINT"))));
        Assert.Equal(["run"], DockerfileBuild.ExecForm(Assert.Single(final.All("CMD"))));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_build_stages_publish_command_succeeds_and_the_output_runs()
    {
        var (root, code, output) = await Dockerfile.ReplayStageAsync("build", Root, command => command, TimeSpan.FromMinutes(8));
        try
        {
            Assert.True(code == 0, $"the Dockerfile's publish failed ({code}):\n{output}");
            var entry = Path.Combine(root, "out", "llamaop.dll");
            Assert.True(File.Exists(entry), $"{entry} is missing; the image's ENTRYPOINT runs /app/llamaop.dll");
            using var process = Process.Start(new ProcessStartInfo("dotnet", [entry, "--help"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var help = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("run", help);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
