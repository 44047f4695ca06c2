using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>Validates a LlamaTrainingJob and returns every problem at once, errors and warnings.</summary>
public static class JobValidator
{
    public static IReadOnlyList<ValidationProblem> Validate(LlamaTrainingJob job, IEnumerable<IJobCheck>? extraChecks = null)
    {
        var problems = BuiltInProblems(job);
        if (extraChecks is not null && problems.All(p => p.Severity != Severity.Error))
        {
            var resolved = JobResolver.ResolveValid(job);
            foreach (var check in extraChecks)
            {
                problems.AddRange(check.Check(resolved));
            }
        }

        return problems;
    }

    internal static List<ValidationProblem> BuiltInProblems(LlamaTrainingJob job)
    {
        var problems = new List<ValidationProblem>();
        MetadataRules.Check(job, problems);
        if (job.Spec is null)
        {
            problems.Add(ValidationProblem.Error("spec", "required field is missing"));
            return problems;
        }

        MarkerRules.Check(job.Spec, "spec", problems);
        ModelRules.Check(job.Spec, problems);
        DataRules.Check(job.Spec, problems);
        CheckpointRules.Check(job.Spec, problems);
        FailurePolicyRules.Check(job.Spec, problems);
        StageRules.Check(job.Spec, problems);
        LayoutRules.Check(job, problems);
        BatchRules.Check(job.Spec, problems);
        return problems;
    }
}
