using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Serialization;

/// <summary>A job read from a manifest, with the line of each field path (spec.stages[0].name -> 31).</summary>
public sealed record ManifestDocument(LlamaTrainingJob Job, IReadOnlyDictionary<string, int> Lines)
{
    /// <summary>The line of the path, or of its nearest ancestor present in the file (a missing field points at its parent).</summary>
    public int? LineOf(string path) => ManifestReader.Line(Lines, path);
}
