namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>A container resolved for the host: argv, environment and working folder; or why it cannot start.</summary>
public sealed record LaunchSpec(string Container, IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory, string? Error)
{
    public string Image { get; init; } = "";

    /// <summary>The host file that stands for the container's terminationMessagePath (none when the path is empty).</summary>
    public string? TerminationMessageFile { get; init; }

    /// <summary>terminationMessagePolicy FallbackToLogsOnError: a failed container that wrote no message gets the end of its log.</summary>
    public bool FallbackToLogsOnError { get; init; }
}
