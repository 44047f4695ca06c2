namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>A container resolved for the host: argv, environment and working folder; or why it cannot start.</summary>
public sealed record LaunchSpec(string Container, IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory, string? Error)
{
    public string Image { get; init; } = "";
}
