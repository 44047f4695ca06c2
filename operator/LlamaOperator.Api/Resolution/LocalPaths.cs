using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>
/// A manifest's relative local paths are relative to the manifest file's folder; once the job is applied to a
/// cluster that folder is gone (the trainer reads the job from its ConfigMap), so they are made absolute first.
/// The fields: spec.checkpoint.storage.local.path, spec.data.sources[].uri and .prepareFrom, spec.data.evalUri, spec.tokenizer.uri.
/// URLs (anything with "://", file:// included) and absolute paths are left as they are. Pure: no file access.
/// </summary>
public static class LocalPaths
{
    /// <summary>A copy of <paramref name="job"/> whose relative local paths are absolute against <paramref name="manifestFolder"/>.</summary>
    public static LlamaTrainingJob MakeAbsolute(LlamaTrainingJob job, string manifestFolder)
    {
        if (!Path.IsPathFullyQualified(manifestFolder))
        {
            throw new ArgumentException($"the manifest folder must be an absolute path, got '{manifestFolder}'", nameof(manifestFolder));
        }

        var copy = ApiJson.Deserialize<LlamaTrainingJob>(ApiJson.Serialize(job))!;
        var spec = copy.Spec;
        if (spec.Checkpoint.Storage.Local is { } local)
        {
            local.Path = Absolute(local.Path, manifestFolder)!;
        }

        foreach (var source in spec.Data.Sources)
        {
            source.Uri = Absolute(source.Uri, manifestFolder)!;
            source.PrepareFrom = Absolute(source.PrepareFrom, manifestFolder);
        }

        spec.Data.EvalUri = Absolute(spec.Data.EvalUri, manifestFolder);
        if (spec.Tokenizer is { } tokenizer)
        {
            tokenizer.Uri = Absolute(tokenizer.Uri, manifestFolder);
        }

        return copy;
    }

    /// <summary>A relative local path made absolute; URLs, absolute paths, empty and null values unchanged.</summary>
    public static string? Absolute(string? location, string manifestFolder) =>
        string.IsNullOrEmpty(location) || location.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(location)
            ? location
            : Path.GetFullPath(location, manifestFolder);
}
