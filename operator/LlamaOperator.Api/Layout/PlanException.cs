namespace LlamaOperator.Api.Layout;

/// <summary>A stage that cannot be laid out: names the spec field at fault and what was expected.</summary>
public sealed class PlanException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}
