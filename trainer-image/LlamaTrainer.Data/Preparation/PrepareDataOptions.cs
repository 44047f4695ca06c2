using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Preparation;

/// <summary>What `llama-train prepare-data` was asked to do.</summary>
public sealed record PrepareDataOptions
{
    public const long DefaultMaxShardBytes = 64L << 20;

    /// <summary>The sources; each becomes a folder "&lt;name&gt;/" with index.json and its shards.</summary>
    public required IReadOnlyList<SourceInput> Sources { get; init; }

    /// <summary>Where the source folders are written (a local folder or a blob container prefix).</summary>
    public required IObjectStore Output { get; init; }

    /// <summary>cl100k_base, bytes or llama3; null means llama3 when <see cref="TokenizerModelPath"/> is set, else cl100k_base.</summary>
    public string? TokenizerName { get; init; }

    /// <summary>A Llama 3 tokenizer.model.</summary>
    public string? TokenizerModelPath { get; init; }

    /// <summary>The JSON Lines field that holds a document's text.</summary>
    public string TextField { get; init; } = "text";

    public TextDocumentSplit TextSplit { get; init; } = TextDocumentSplit.WholeFile;

    public long MaxShardBytes { get; init; } = DefaultMaxShardBytes;

    /// <summary>The last N documents of every source (in input order) go to the held-out split, never to training.</summary>
    public int HeldOutDocuments { get; init; }

    /// <summary>Report bad input files and go on without them, instead of failing.</summary>
    public bool SkipBadFiles { get; init; }

    /// <summary>Threads that tokenize; tokenization is the cost of this command.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}
