namespace LlamaTrainer.Tests.Training;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("llama-train-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
