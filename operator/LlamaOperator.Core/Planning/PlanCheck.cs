using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Planning;

/// <summary>The planner's warnings (memory estimate over the GPU's memory, pipeline bubble) as validation warnings, for `llamaop validate` and admission.</summary>
public sealed class PlanCheck : IJobCheck
{
    public IEnumerable<ValidationProblem> Check(ResolvedJob job) =>
        StagePlanner.PlanAll(job).SelectMany(plan => plan.Warnings.Select(w => ValidationProblem.Warning($"spec.stages[{plan.StageIndex}]", w)));
}
