using LlamaOperator.Api;

namespace LlamaTrainer.Tests.Cli;

/// <summary>Errors a retry cannot cure exit with the fatal invalid-input code and leave their cause as the termination message.</summary>
public sealed class ExitCodesTests : IDisposable
{
    private const string Job = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata: { name: nodata }
        spec:
          model: { preset: tiny, layers: 1, dim: 32, ffnDim: 64, heads: 4, kvHeads: 2 }
          tokenizer: { kind: Bytes }
          data: { sources: [{ name: general, uri: data/general, weight: 1.0 }] }
          cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
          checkpoint: { storage: { local: { path: ckpt } } }
          stages:
            - { name: pretrain, type: Pretrain, tokens: 1024, sequenceLength: 64, batchTokens: 256, parallelism: {} }
        """;

    private readonly TempFolder _folder = new();
    private readonly string _message;

    public ExitCodesTests()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "job.yaml"), Job);
        _message = Path.Combine(_folder.Path, "termination-log");
        File.WriteAllText(_message, ""); // as the kubelet creates it before the container starts
    }

    public void Dispose() => _folder.Dispose();

    private async Task<int> TrainAsync(Dictionary<string, string> environment)
    {
        environment[TrainerTerminationMessage.PathVariable] = _message;
        using var process = LlamaTrainProcess.Start(_folder.Path, environment, null, "train", "--job", "job.yaml", "--stage", "pretrain");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return process.ExitCode;
    }

    [Fact]
    public async Task A_data_source_without_prepared_data_is_invalid_input_and_the_message_names_its_folder()
    {
        var code = await TrainAsync([]);

        Assert.Equal(TrainerExitCodes.InvalidInput, code);
        var message = await File.ReadAllTextAsync(_message);
        Assert.Contains(Path.Combine(_folder.Path, "data", "general"), message);
        Assert.Contains("no prepared data (index.json not found)", message);
    }

    [Fact]
    public async Task An_invalid_environment_variable_is_invalid_input_with_its_message()
    {
        var code = await TrainAsync(new Dictionary<string, string> { ["WORLD_SIZE"] = "two" });

        Assert.Equal(TrainerExitCodes.InvalidInput, code);
        Assert.Equal("environment variable WORLD_SIZE='two': expected a non-negative integer", await File.ReadAllTextAsync(_message));
    }
}
