using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlamaTrainer.Data.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer with the ids the trainer needs: BOS/EOS and the vocabulary size that sizes the embedding.
/// Text is always encoded as plain text: a literal "&lt;|endoftext|&gt;" in a document is never turned into a special
/// token (as Meta's Llama 3 tokenizer does with its default disallowed_special=()).
/// </summary>
public sealed class TextTokenizer
{
    public const string Cl100kBaseName = "cl100k_base";
    public const string Llama3Name = "llama3";

    /// <summary>The pre-tokenizer regex of cl100k_base, which Llama 3 uses unchanged.</summary>
    public const string PreTokenizerPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Longest run of whitespace or of non-whitespace encoded in one piece. BPE is quadratic in a pre-token's length
    /// (a 16,000-character run takes seconds), so longer runs are cut, as Meta's tokenizer.py does at 25,000.
    /// </summary>
    public const int MaxRunChars = 2048;

    private readonly TiktokenTokenizer _tokenizer;

    private TextTokenizer(string name, TiktokenTokenizer tokenizer, int bosId, int eosId, int vocabSize)
    {
        Name = name;
        _tokenizer = tokenizer;
        BosId = bosId;
        EosId = eosId;
        VocabSize = vocabSize;
    }

    /// <summary>Recorded in every shard so that shards of different tokenizers are never mixed.</summary>
    public string Name { get; }

    public int BosId { get; }

    public int EosId { get; }

    /// <summary>Highest id this tokenizer can produce, plus one.</summary>
    public int VocabSize { get; }

    /// <summary>
    /// OpenAI's cl100k_base (ships with the trainer). It has no BOS token, so "&lt;|begin_of_text|&gt;" takes the unused
    /// id 100256 (a gap below &lt;|endoftext|&gt; = 100257) and the vocabulary stays 100,277 ids.
    /// </summary>
    public static TextTokenizer Cl100kBase()
    {
        const int bos = 100_256;
        const int eos = 100_257;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["<|begin_of_text|>"] = bos,
            ["<|endoftext|>"] = eos,
            ["<|fim_prefix|>"] = 100_258,
            ["<|fim_middle|>"] = 100_259,
            ["<|fim_suffix|>"] = 100_260,
            ["<|endofprompt|>"] = 100_276,
        };
        using var ranks = OpenCl100kRanks();
        var tokenizer = TiktokenTokenizer.Create(ranks, PlainTextPreTokenizer(), normalizer: null, specials);
        return new TextTokenizer(Cl100kBaseName, tokenizer, bos, eos, 100_277);
    }

    /// <summary>A Llama 3 tokenizer.model: base64 BPE ranks, one "token rank" pair a line; its 256 special tokens follow the ranks.</summary>
    public static TextTokenizer Llama3(string tokenizerModelPath)
    {
        if (!File.Exists(tokenizerModelPath))
        {
            throw new FileNotFoundException($"Llama 3 tokenizer.model '{tokenizerModelPath}' does not exist", tokenizerModelPath);
        }

        using var stream = File.OpenRead(tokenizerModelPath);
        return Llama3(stream, tokenizerModelPath);
    }

    /// <inheritdoc cref="Llama3(string)"/>
    public static TextTokenizer Llama3(Stream ranks, string sourceName)
    {
        var rankBytes = ReadAll(ranks);
        var rankCount = Llama3SpecialTokens.CountRanks(rankBytes, sourceName);
        var specials = Llama3SpecialTokens.For(rankCount);
        TiktokenTokenizer tokenizer;
        try
        {
            tokenizer = TiktokenTokenizer.Create(new MemoryStream(rankBytes), PlainTextPreTokenizer(), normalizer: null, specials);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"Llama 3 tokenizer.model '{sourceName}': not a base64 BPE ranks file ({e.Message})", e);
        }

        return new TextTokenizer(Llama3Name, tokenizer, rankCount + Llama3SpecialTokens.BeginOfTextOffset, rankCount + Llama3SpecialTokens.EndOfTextOffset, rankCount + Llama3SpecialTokens.Count);
    }

    /// <summary>cl100k_base when no tokenizer.model is given, else the Llama 3 tokenizer it holds.</summary>
    public static TextTokenizer Load(string? llama3TokenizerModelPath) =>
        string.IsNullOrEmpty(llama3TokenizerModelPath) ? Cl100kBase() : Llama3(llama3TokenizerModelPath);

    /// <summary>Id of a special token such as "&lt;|eot_id|&gt;".</summary>
    public int SpecialTokenId(string token) =>
        _tokenizer.SpecialTokens is { } specials && specials.TryGetValue(token, out var id)
            ? id
            : throw new ArgumentException($"tokenizer {Name} has no special token '{token}'", nameof(token));

    /// <summary>The ids of <paramref name="text"/>, without BOS/EOS.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3);
        AppendIds(text, ids);
        return [.. ids];
    }

    /// <summary>A document as it is stored in shards: BOS, the text's ids, EOS.</summary>
    public int[] EncodeDocument(string text)
    {
        var ids = new List<int>((text.Length / 3) + 2) { BosId };
        AppendIds(text, ids);
        ids.Add(EosId);
        return [.. ids];
    }

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);

    private void AppendIds(string text, List<int> ids)
    {
        var start = 0;
        var runStart = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsWhiteSpace(text[i]) != char.IsWhiteSpace(text[i - 1]))
            {
                runStart = i;
            }
            else if (i - runStart >= MaxRunChars && i < text.Length && !char.IsLowSurrogate(text[i]))
            {
                ids.AddRange(_tokenizer.EncodeToIds(text.AsSpan(start, i - start)));
                start = i;
                runStart = i;
            }
        }

        ids.AddRange(_tokenizer.EncodeToIds(text.AsSpan(start)));
    }

    // Without special tokens the pre-tokenizer never isolates "<|...|>" strings, so they stay plain text.
    private static RegexPreTokenizer PlainTextPreTokenizer() => new(new Regex(PreTokenizerPattern, RegexOptions.Compiled), specialTokens: null);

    private static DeflateStream OpenCl100kRanks()
    {
        // The data package embeds the ranks deflate-compressed; CreateForEncoding would force special-token parsing.
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase");
        var compressed = assembly.GetManifestResourceStream("cl100k_base.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Cl100kBase has no cl100k_base.tiktoken.deflate resource");
        return new DeflateStream(compressed, CompressionMode.Decompress);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
