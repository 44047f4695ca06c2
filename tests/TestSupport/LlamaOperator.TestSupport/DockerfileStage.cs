namespace LlamaOperator.TestSupport;

/// <summary>One FROM ... [AS name] stage of a Dockerfile and its instructions in order (continuation lines joined).</summary>
public sealed record DockerfileStage(string BaseImage, string? Name)
{
    public List<(string Instruction, string Arguments)> Instructions { get; } = [];

    public IEnumerable<string> All(string instruction) =>
        Instructions.Where(i => i.Instruction == instruction).Select(i => i.Arguments);
}
