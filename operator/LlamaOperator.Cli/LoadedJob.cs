using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Validation;

namespace LlamaOperator.Cli;

/// <summary>A job manifest as submitted and resolved: what plan and render work from.</summary>
internal sealed record LoadedJob(LlamaTrainingJob Job, ResolvedJob Resolved)
{
    /// <summary>Reads, validates and resolves a manifest; prints its findings (with lines) to <paramref name="error"/>; null when it has errors.</summary>
    public static LoadedJob? TryLoad(string path, TextWriter error)
    {
        var findings = ManifestValidation.CheckFile(path);
        foreach (var finding in findings)
        {
            error.WriteLine(finding.Format(path));
        }

        if (findings.Any(f => f.Severity == Severity.Error))
        {
            return null;
        }

        var job = ManifestReader.ReadFile(path);
        return new LoadedJob(job, JobResolver.Resolve(job));
    }
}
