using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Validation;

/// <summary>A problem of a manifest file, read error or validation problem, with its line when known.</summary>
public sealed record ManifestFinding(Severity Severity, string Path, string Message, int? Line)
{
    public string Format(string source) =>
        $"{source}{(Line is { } line ? $":{line}" : "")}: {(Severity == Severity.Error ? "error" : "warning")}: {(Path.Length == 0 ? "" : Path + ": ")}{Message}";
}

/// <summary>Reads a manifest strictly and validates the job: every finding at once, pointing into the file.</summary>
public static class ManifestValidation
{
    public static IReadOnlyList<ManifestFinding> CheckFile(string path, IEnumerable<IJobCheck>? extraChecks = null)
    {
        ManifestDocument document;
        try
        {
            document = ManifestReader.ReadFileDocument(path);
        }
        catch (ManifestException ex)
        {
            return ReadErrors(ex);
        }

        return Check(document, extraChecks);
    }

    public static IReadOnlyList<ManifestFinding> Check(string text, string source, IEnumerable<IJobCheck>? extraChecks = null)
    {
        ManifestDocument document;
        try
        {
            document = ManifestReader.ReadDocument(text, source);
        }
        catch (ManifestException ex)
        {
            return ReadErrors(ex);
        }

        return Check(document, extraChecks);
    }

    private static List<ManifestFinding> Check(ManifestDocument document, IEnumerable<IJobCheck>? extraChecks) =>
        JobValidator.Validate(document.Job, extraChecks)
            .Select(p => new ManifestFinding(p.Severity, p.Path, p.Message, document.LineOf(p.Path)))
            .ToList();

    private static List<ManifestFinding> ReadErrors(ManifestException ex) =>
        ex.Problems.Select(p => new ManifestFinding(Severity.Error, p.Path, p.Message, p.Line)).ToList();
}
