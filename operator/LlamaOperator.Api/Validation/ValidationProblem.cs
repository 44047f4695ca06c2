namespace LlamaOperator.Api.Validation;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>One problem of a job: the field path (spec.stages[1].parallelism.tp), what was expected and found.</summary>
public sealed record ValidationProblem(string Path, string Message, Severity Severity = Severity.Error)
{
    public static ValidationProblem Error(string path, string message) => new(path, message);

    public static ValidationProblem Warning(string path, string message) => new(path, message, Severity.Warning);

    public override string ToString() => $"{(Severity == Severity.Error ? "error" : "warning")}: {Path}: {Message}";
}
