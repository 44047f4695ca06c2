using System.Text.Json;
using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Shards;

/// <summary>
/// A source's "index.json": its tokenizer, and its shards split into the training set and the held-out set
/// (the last documents of the source, kept out of training for evaluation). Shard keys are relative to the source folder.
/// </summary>
public sealed record ShardIndex(
    int FormatVersion,
    string Source,
    string Tokenizer,
    int VocabSize,
    int BosId,
    int EosId,
    ShardSet Train,
    ShardSet HeldOut)
{
    public const string FileName = "index.json";
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and checks an index; <paramref name="location"/> names it in errors.</summary>
    public static ShardIndex Parse(string json, string location)
    {
        ShardIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<ShardIndex>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{location}: not a shard index ({e.Message})", e);
        }

        if (index is null || index.Train is null || index.HeldOut is null || string.IsNullOrEmpty(index.Tokenizer))
        {
            throw new InvalidDataException($"{location}: shard index lacks tokenizer, train or heldOut");
        }

        if (index.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException($"{location}: formatVersion {index.FormatVersion}, this reader knows {CurrentFormatVersion}");
        }

        index.Train.Check($"{location} train");
        index.HeldOut.Check($"{location} heldOut");
        return index;
    }

    /// <summary>Reads "index.json" at the root of a source's store; a store without one holds no prepared data (an input error, FileNotFoundException).</summary>
    public static async Task<ShardIndex> LoadAsync(IObjectStore store, CancellationToken cancellationToken = default)
    {
        Stream opened;
        try
        {
            opened = await store.OpenReadAsync(FileName, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException e)
        {
            throw new FileNotFoundException($"{store.Location}: no prepared data ({FileName} not found); run `llama-train prepare-data` into it, or give the source prepareFrom", $"{store.Location}/{FileName}", e);
        }

        await using var stream = opened;
        using var reader = new StreamReader(stream);
        var json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        return Parse(json, $"{store.Location}/{FileName}");
    }

    /// <summary>Reads and verifies one shard of this index against its entry.</summary>
    public async Task<TokenShard> LoadShardAsync(IObjectStore store, ShardEntry entry, CancellationToken cancellationToken = default)
    {
        var name = $"{store.Location}/{entry.Key}";
        byte[] bytes;
        await using (var stream = await store.OpenReadAsync(entry.Key, cancellationToken).ConfigureAwait(false))
        {
            using var buffer = new MemoryStream(entry.Bytes > 0 && entry.Bytes < int.MaxValue ? (int)entry.Bytes : 0);
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }

        var shard = TokenShardFormat.Read(bytes, name);
        if (shard.Tokens.Length != entry.Tokens || shard.DocumentCount != entry.Documents)
        {
            throw new InvalidDataException($"shard '{name}': holds {shard.Tokens.Length} tokens in {shard.DocumentCount} documents, index.json says {entry.Tokens} in {entry.Documents}");
        }

        if (shard.TokenizerName != Tokenizer || shard.VocabSize != VocabSize)
        {
            throw new InvalidDataException($"shard '{name}': tokenizer {shard.TokenizerName} ({shard.VocabSize} ids), index.json says {Tokenizer} ({VocabSize} ids)");
        }

        return shard;
    }
}

/// <summary>The shards of one split and their totals.</summary>
public sealed record ShardSet(long Documents, long Tokens, IReadOnlyList<ShardEntry> Shards)
{
    public static ShardSet Empty { get; } = new(0, 0, []);

    internal void Check(string what)
    {
        if (Shards is null)
        {
            throw new InvalidDataException($"{what}: shards missing");
        }

        if (Shards.Sum(s => s.Documents) != Documents || Shards.Sum(s => s.Tokens) != Tokens)
        {
            throw new InvalidDataException($"{what}: totals ({Documents} documents, {Tokens} tokens) differ from the sum over its shards");
        }
    }
}

public sealed record ShardEntry(string Key, long Documents, long Tokens, long Bytes);
