using System.Diagnostics;
using LlamaOperator.TestSupport;

namespace LlamaTrainer.Tests.Image;

/// <summary>trainer-image/Dockerfile, checked without a Docker engine or a CUDA package feed.</summary>
public class TrainerImageTests
{
    private static readonly string Root = RepoRoot.Find();
    private static readonly string[] GlooLibraries = ["libgloo_shim.so", "libgloo.so.0"];
    private static readonly DockerfileBuild Dockerfile = DockerfileBuild.Load(Path.Combine(Root, "trainer-image", "Dockerfile"));

    [Fact]
    public void Cuda_base_with_nccl_the_dotnet_runtime_and_a_non_root_user()
    {
        Assert.True(Dockerfile.Stages.Count >= 2, "the SDK build and the CUDA runtime image are separate stages");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", Dockerfile.Stages[0].BaseImage);
        var publish = Assert.Single(Dockerfile.Stages[0].All("RUN"));
        Assert.Contains("-p:TorchBackend=cuda", publish);
        Assert.Contains("install -y --no-install-recommends g++", publish); // the Gloo shim is compiled at build time
        var final = Dockerfile.Final;
        Assert.StartsWith("nvidia/cuda:", final.BaseImage);
        Assert.Contains(final.All("RUN"), run => run.Contains("libnccl2", StringComparison.Ordinal));
        Assert.Contains("--from=build /out ./", final.All("COPY"));
        Assert.Contains(final.All("COPY"), copy => copy.StartsWith("--from=mcr.microsoft.com/dotnet/runtime:", StringComparison.Ordinal));
        // Nothing else from the build context reaches the final image.
        Assert.All(final.All("COPY"), copy => Assert.StartsWith("--from=", copy));
        var user = Assert.Single(final.All("USER"));
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        Assert.Equal(["dotnet", "/app/llama-train.dll"], DockerfileBuild.ExecForm(Assert.Single(final.All("ENTRYPOINT"))));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_build_stages_publish_succeeds_with_the_cpu_backend_and_the_output_runs()
    {
        // TorchSharp-cuda-linux is not served here: the same command with the CPU backend; g++ is installed already.
        var (root, code, output) = await Dockerfile.ReplayStageAsync(
            "build",
            Root,
            command => command[command.IndexOf("dotnet publish", StringComparison.Ordinal)..].Replace("-p:TorchBackend=cuda", "-p:TorchBackend=cpu", StringComparison.Ordinal),
            TimeSpan.FromMinutes(8));
        try
        {
            Assert.True(code == 0, $"the Dockerfile's publish failed ({code}):\n{output}");
            var entry = Path.Combine(root, "out", "llama-train.dll");
            Assert.True(File.Exists(entry), $"{entry} is missing; the image's ENTRYPOINT runs /app/llama-train.dll");
            Assert.All(GlooLibraries, library => Assert.True(File.Exists(Path.Combine(root, "out", library)), $"{library} is not published beside llama-train.dll"));
            using var process = Process.Start(new ProcessStartInfo("dotnet", [entry, "--help"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var help = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("train", help);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
