namespace LlamaTrainer.Data.Preparation;

public enum InputFormat
{
    /// <summary>UTF-8 text; see <see cref="TextDocumentSplit"/> for where documents end.</summary>
    Text,

    /// <summary>One JSON object a line; the document is a string field (default "text").</summary>
    JsonLines,
}

/// <summary>Where documents end inside a text file.</summary>
public enum TextDocumentSplit
{
    /// <summary>The whole file is one document.</summary>
    WholeFile,

    /// <summary>Documents are separated by one or more blank (empty or whitespace-only) lines.</summary>
    BlankLine,
}

/// <summary>One input file; ".jsonl" files are JSON Lines, everything else is text.</summary>
public sealed record InputFile(string Path, InputFormat Format)
{
    public static InputFile For(string path) =>
        new(path, path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? InputFormat.JsonLines : InputFormat.Text);

    /// <summary>
    /// The files of a source in a stable order: a file path as given, a folder's *.txt and *.jsonl files (recursively,
    /// ordinal order). Missing paths and folders without such files are returned as they are, so that inspection reports them.
    /// </summary>
    public static IReadOnlyList<InputFile> Expand(SourceInput source)
    {
        var files = new List<InputFile>();
        foreach (var path in source.Paths)
        {
            var inFolder = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .Select(For)
                    .ToList()
                : [];
            if (inFolder.Count > 0)
            {
                files.AddRange(inFolder);
            }
            else
            {
                files.Add(For(path));
            }
        }

        return files;
    }
}
