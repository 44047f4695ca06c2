namespace LlamaOperator.Chart.Tests;

public sealed record HelmResult(int ExitCode, string Stdout, string Stderr);
