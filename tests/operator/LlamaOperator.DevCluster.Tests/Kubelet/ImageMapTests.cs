using LlamaOperator.DevCluster.Kubelet;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

public class ImageMapTests
{
    private static readonly ImageMap Map = new(
        new Dictionary<string, IReadOnlyList<string>> { ["ghcr.io/llama/trainer"] = ["dotnet", "/x/llama-train.dll"], ["busybox:1.36"] = ["sh"] },
        new Dictionary<string, IReadOnlyList<string>> { ["llama-train"] = ["dotnet", "/x/llama-train.dll"] });

    [Fact]
    public void Image_entrypoint_is_used_when_the_container_has_no_command() =>
        Assert.Equal(["dotnet", "/x/llama-train.dll", "--stage", "pretrain"], Map.Resolve("ghcr.io/llama/trainer:v3", [], ["--stage", "pretrain"]).Argv);

    [Fact]
    public void Tagged_entry_matches_exactly() =>
        Assert.Equal(["sh", "-c", "x"], Map.Resolve("busybox:1.36", [], ["-c", "x"]).Argv);

    [Fact]
    public void Command_replaces_entrypoint_and_its_first_word_is_mapped() =>
        Assert.Equal(["dotnet", "/x/llama-train.dll", "run", "--config", "c.yaml"], Map.Resolve("any", ["llama-train", "run"], ["--config", "c.yaml"]).Argv);

    [Fact]
    public void Unmapped_image_without_command_is_an_error_naming_the_image()
    {
        var (argv, error) = Map.Resolve("nginx:latest", [], []);
        Assert.Null(argv);
        Assert.Contains("\"nginx:latest\"", error);
    }

    [Theory]
    [InlineData("run $(RANK) of $(WORLD)", "run 3 of 8")]
    [InlineData("literal $$(RANK)", "literal $(RANK)")]
    [InlineData("unknown $(NOPE)", "unknown $(NOPE)")]
    public void Variables_expand_as_the_kubelet_expands_them(string text, string expected) =>
        Assert.Equal(expected, ContainerLauncher.Expand(text, new Dictionary<string, string> { ["RANK"] = "3", ["WORLD"] = "8" }));
}
