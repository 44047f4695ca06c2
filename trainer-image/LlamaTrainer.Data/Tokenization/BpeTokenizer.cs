using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlamaTrainer.Data.Tokenization;

/// <summary>A byte-level BPE tokenizer (tiktoken ranks): cl100k_base, which ships with the trainer, or a Llama 3 tokenizer.model.</summary>
internal sealed class BpeTokenizer : TextTokenizer
{
    private readonly TiktokenTokenizer _tokenizer;

    private BpeTokenizer(string name, TiktokenTokenizer tokenizer, int bosId, int eosId, int vocabSize)
        : base(name, bosId, eosId, vocabSize)
    {
        _tokenizer = tokenizer;
    }

    /// <summary>
    /// OpenAI's cl100k_base (ships with the trainer). It has no BOS token, so "&lt;|begin_of_text|&gt;" takes the unused
    /// id 100256 (a gap below &lt;|endoftext|&gt; = 100257) and the vocabulary stays 100,277 ids.
    /// </summary>
    public static BpeTokenizer CreateCl100kBase()
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
        return new BpeTokenizer(Cl100kBaseName, tokenizer, bos, eos, 100_277);
    }

    /// <summary>A Llama 3 tokenizer.model: base64 BPE ranks, one "token rank" pair a line; its 256 special tokens follow the ranks.</summary>
    public static BpeTokenizer CreateLlama3(string tokenizerModelPath)
    {
        if (!File.Exists(tokenizerModelPath))
        {
            throw new FileNotFoundException($"Llama 3 tokenizer.model '{tokenizerModelPath}' does not exist", tokenizerModelPath);
        }

        using var stream = File.OpenRead(tokenizerModelPath);
        return CreateLlama3(stream, tokenizerModelPath);
    }

    /// <inheritdoc cref="CreateLlama3(string)"/>
    public static BpeTokenizer CreateLlama3(Stream ranks, string sourceName)
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

        return new BpeTokenizer(Llama3Name, tokenizer, rankCount + Llama3SpecialTokens.BeginOfTextOffset, rankCount + Llama3SpecialTokens.EndOfTextOffset, rankCount + Llama3SpecialTokens.Count);
    }

    public override int SpecialTokenId(string token) =>
        _tokenizer.SpecialTokens is { } specials && specials.TryGetValue(token, out var id)
            ? id
            : throw new ArgumentException($"tokenizer {Name} has no special token '{token}'", nameof(token));

    public override string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);

    private protected override void AppendIds(string text, List<int> ids)
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
