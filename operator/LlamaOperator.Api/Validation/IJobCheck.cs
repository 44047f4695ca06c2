using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// A check beyond the built-in rules, for example the planner's memory estimate. It sees the resolved
/// job and runs only when the built-in rules found no errors (a consistent layout is given).
/// </summary>
public interface IJobCheck
{
    IEnumerable<ValidationProblem> Check(ResolvedJob job);
}
