namespace LlamaOperator.Api.Validation;

/// <summary>A job that cannot be resolved because it has validation errors; lists all of them.</summary>
public sealed class InvalidJobException(string? jobName, IReadOnlyList<ValidationProblem> problems)
    : Exception($"job '{jobName ?? "(unnamed)"}' is invalid: " + string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}")))
{
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems;
}
