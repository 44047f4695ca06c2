using System.Text.Json;
using System.Text.RegularExpressions;
using LlamaOperator.Api.V1Alpha1;
using YamlDotNet.Core;

namespace LlamaOperator.Api.Serialization;

/// <summary>One problem in a manifest: where (field path, line when known) and what was expected.</summary>
public sealed record ManifestProblem(string Path, string Message, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"line {line}: {Path}: {Message}" : $"{Path}: {Message}";
}

public sealed class ManifestException(string source, IReadOnlyList<ManifestProblem> problems)
    : Exception($"{source}: " + string.Join("; ", problems))
{
    public string File { get; } = source;

    public IReadOnlyList<ManifestProblem> Problems { get; } = problems;
}

/// <summary>
/// Reads a LlamaTrainingJob from YAML or JSON strictly: unknown fields, wrong types and unknown enum values
/// are errors that name the field path and the line, not silently dropped values.
/// </summary>
public static partial class ManifestReader
{
    public static LlamaTrainingJob ReadFile(string path) => ReadFileDocument(path).Job;

    public static LlamaTrainingJob Read(string text, string source) => ReadDocument(text, source).Job;

    /// <summary>Reads a file and keeps the line of every field, so that later problems can point into it.</summary>
    public static ManifestDocument ReadFileDocument(string path)
    {
        if (!File.Exists(path))
        {
            throw new ManifestException(path, [new ManifestProblem("", "file not found")]);
        }

        return ReadDocument(File.ReadAllText(path), path);
    }

    public static ManifestDocument ReadDocument(string text, string source)
    {
        IReadOnlyList<YamlToJson.Document> documents;
        try
        {
            documents = YamlToJson.Convert(text);
        }
        catch (YamlException ex)
        {
            throw new ManifestException(source, [new ManifestProblem("", $"not valid YAML: {ex.Message}", (int)ex.Start.Line)]);
        }

        var jobs = documents.Where(d => d.Root?["kind"]?.GetValueKind() == JsonValueKind.String && (string?)d.Root["kind"] == ApiGroup.Kind).ToList();
        if (jobs.Count != 1)
        {
            var found = documents.Count == 0 ? "the file is empty" : $"found {jobs.Count} of {documents.Count} documents with kind {ApiGroup.Kind}";
            throw new ManifestException(source, [new ManifestProblem("kind", $"expected exactly one document of kind {ApiGroup.Kind}; {found}")]);
        }

        var document = jobs[0];
        var apiVersion = document.Root?["apiVersion"]?.GetValueKind() == JsonValueKind.String ? (string?)document.Root["apiVersion"] : null;
        if (apiVersion != ApiGroup.ApiVersion)
        {
            throw new ManifestException(source, [new ManifestProblem("apiVersion", $"expected '{ApiGroup.ApiVersion}', got '{apiVersion ?? "(none)"}'", Line(document, "apiVersion"))]);
        }

        LlamaTrainingJob job;
        try
        {
            job = document.Root.Deserialize<LlamaTrainingJob>(ApiJson.Options)
                ?? throw new ManifestException(source, [new ManifestProblem("", "the document is empty")]);
        }
        catch (JsonException ex)
        {
            var path = FieldPath(ex.Path);
            var message = Explain(ex, ref path);
            throw new ManifestException(source, [new ManifestProblem(path, message, Line(document, path))]);
        }

        // A missing number or enum would otherwise read as 0 or its first value: absent required fields are read errors.
        var missing = RequiredFields.Missing(document.Root?["spec"], typeof(LlamaTrainingJobSpec), "spec")
            .Select(path => new ManifestProblem(path, "required field is missing", Line(document, path)))
            .ToList();
        if (missing.Count > 0)
        {
            throw new ManifestException(source, missing);
        }

        return new ManifestDocument(job, document.Lines);
    }

    internal static int? Line(IReadOnlyDictionary<string, int> lines, string path)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (lines.TryGetValue(p, out var line))
            {
                return line;
            }

            if (p.Length == 0)
            {
                return null;
            }
        }
    }

    private static int? Line(YamlToJson.Document document, string path) => Line(document.Lines, path);

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    /// <summary>"$.spec.stages[0]['x']" -> "spec.stages[0].x".</summary>
    private static string FieldPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath))
        {
            return "";
        }

        var path = QuotedSegment().Replace(jsonPath, m => "." + m.Groups[1].Value);
        return path.TrimStart('$').TrimStart('.');
    }

    private static string Explain(JsonException ex, ref string path)
    {
        var unmapped = UnmappedMember().Match(ex.Message);
        if (unmapped.Success)
        {
            var field = unmapped.Groups[1].Value;
            if (!path.EndsWith(field, StringComparison.Ordinal))
            {
                path = path.Length == 0 ? field : path + "." + field;
            }

            return "unknown field (check the spelling; fields are camelCase)";
        }

        var converted = ConvertedTo().Match(ex.Message);
        if (converted.Success)
        {
            return "expected " + Describe(converted.Groups[1].Value);
        }

        return ex.Message;
    }

    private static string Describe(string typeName)
    {
        var inner = NullableOf().Match(typeName) is { Success: true } m ? m.Groups[1].Value : typeName;
        var type = typeof(LlamaTrainingJob).Assembly.GetType(inner);
        if (type is { IsEnum: true })
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return inner switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.Double" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            "System.DateTime" => "an RFC 3339 time",
            _ when inner.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "a list",
            _ when inner.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "a map",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"\['([^']*)'\]")]
    private static partial Regex QuotedSegment();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"could not be converted to ([^ .]+(?:\.[^ .]+)*(?:`1\[\[[^\]]*\]\])?)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"System\.Nullable`1\[\[([^,\]]+)")]
    private static partial Regex NullableOf();
}
