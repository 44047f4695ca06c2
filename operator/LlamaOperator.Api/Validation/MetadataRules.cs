using System.Text.RegularExpressions;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>The job name becomes part of pod and Service names, so it must be a DNS label.</summary>
internal static partial class MetadataRules
{
    public static void Check(LlamaTrainingJob job, List<ValidationProblem> problems)
    {
        var name = job.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            problems.Add(ValidationProblem.Error("metadata.name", "required field is missing"));
        }
        else if (!DnsLabel().IsMatch(name))
        {
            problems.Add(ValidationProblem.Error("metadata.name", $"expected a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), found '{name}'"));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
