using System.Text.RegularExpressions;

namespace LlamaTrainer.Data.Preparation;

/// <summary>A named data source and the files or folders that hold its documents.</summary>
public sealed partial record SourceInput(string Name, IReadOnlyList<string> Paths)
{
    /// <summary>Parses "name=path[,path...]" (the CLI's --source value).</summary>
    public static SourceInput Parse(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == value.Length - 1)
        {
            throw new FormatException($"--source '{value}': expected name=path[,path...], e.g. general=examples/corpus/general.jsonl");
        }

        var paths = value[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new SourceInput(value[..equals].Trim(), paths);
    }

    /// <summary>The error in this source's name, or null; names are those of spec.data.sources (lower-case DNS-like).</summary>
    public string? NameError() =>
        NamePattern().IsMatch(Name) ? null : $"source name '{Name}' must match ^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
