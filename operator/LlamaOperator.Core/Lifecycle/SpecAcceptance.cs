using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>An invalid spec sets SpecRejected=True with the validation messages; a valid one clears it again.</summary>
internal static class SpecAcceptance
{
    public static void Apply(DecisionContext context)
    {
        context.Status.ObservedGeneration = context.Generation;
        var errors = context.Observation.Problems.Where(p => p.Severity == Severity.Error).ToList();
        if (errors.Count > 0 || context.Observation.Resolved is null)
        {
            var message = errors.Count > 0 ? string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")) : "the spec could not be resolved";
            if (!JobConditionSetter.IsTrue(context.Status, ConditionTypes.SpecRejected))
            {
                context.Record(true, "SpecRejected", message);
            }

            context.SetCondition(ConditionTypes.SpecRejected, true, "InvalidSpec", message);
        }
        else if (JobConditionSetter.IsTrue(context.Status, ConditionTypes.SpecRejected))
        {
            context.SetCondition(ConditionTypes.SpecRejected, false, "SpecAccepted", "the spec is valid");
            context.Record(false, "SpecAccepted", "the corrected spec is valid");
        }
    }
}
