namespace LlamaOperator.Cli.Running;

/// <summary>Who this operator process is, as leader-election holder and Event source: env POD_NAME, else host name and pid.</summary>
internal static class OperatorIdentity
{
    public static string Create(Func<string, string?> environment) =>
        environment("POD_NAME") is { Length: > 0 } pod ? pod : $"{Environment.MachineName}_{Environment.ProcessId}";
}
