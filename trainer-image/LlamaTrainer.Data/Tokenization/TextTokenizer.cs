namespace LlamaTrainer.Data.Tokenization;

/// <summary>
/// A tokenizer with the ids the trainer needs: BOS/EOS and the vocabulary size that sizes the embedding.
/// Text is always encoded as plain text: a literal "&lt;|endoftext|&gt;" in a document is never turned into a special
/// token (as Meta's Llama 3 tokenizer does with its default disallowed_special=()).
/// </summary>
public abstract class TextTokenizer
{
    public const string Cl100kBaseName = "cl100k_base";
    public const string Llama3Name = "llama3";
    public const string BytesName = "bytes";

    /// <summary>The pre-tokenizer regex of the BPE tokenizers: cl100k_base's, which Llama 3 uses unchanged.</summary>
    public const string PreTokenizerPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Longest run of whitespace or of non-whitespace a BPE tokenizer encodes in one piece. BPE is quadratic in a
    /// pre-token's length (a 16,000-character run takes seconds), so longer runs are cut, as Meta's tokenizer.py does at 25,000.
    /// </summary>
    public const int MaxRunChars = 2048;

    private protected TextTokenizer(string name, int bosId, int eosId, int vocabSize)
    {
        Name = name;
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

    /// <inheritdoc cref="BpeTokenizer.CreateCl100kBase"/>
    public static TextTokenizer Cl100kBase() => BpeTokenizer.CreateCl100kBase();

    /// <inheritdoc cref="BpeTokenizer.CreateLlama3(string)"/>
    public static TextTokenizer Llama3(string tokenizerModelPath) => BpeTokenizer.CreateLlama3(tokenizerModelPath);

    /// <inheritdoc cref="BpeTokenizer.CreateLlama3(Stream, string)"/>
    public static TextTokenizer Llama3(Stream ranks, string sourceName) => BpeTokenizer.CreateLlama3(ranks, sourceName);

    /// <inheritdoc cref="ByteTokenizer"/>
    public static TextTokenizer Bytes() => new ByteTokenizer();

    /// <summary>cl100k_base when no tokenizer.model is given, else the Llama 3 tokenizer it holds.</summary>
    public static TextTokenizer Load(string? llama3TokenizerModelPath) =>
        string.IsNullOrEmpty(llama3TokenizerModelPath) ? Cl100kBase() : Llama3(llama3TokenizerModelPath);

    /// <summary>
    /// A tokenizer by the name shards record (cl100k_base, bytes, llama3); llama3 needs its tokenizer.model.
    /// </summary>
    public static TextTokenizer Named(string name, string? llama3TokenizerModelPath = null) => name switch
    {
        Cl100kBaseName => Cl100kBase(),
        BytesName => Bytes(),
        Llama3Name when !string.IsNullOrEmpty(llama3TokenizerModelPath) => Llama3(llama3TokenizerModelPath),
        Llama3Name => throw new ArgumentException("the llama3 tokenizer needs its tokenizer.model (--tokenizer-model)", nameof(llama3TokenizerModelPath)),
        _ => throw new ArgumentException($"unknown tokenizer '{name}'; expected {Cl100kBaseName}, {BytesName} or {Llama3Name}", nameof(name)),
    };

    /// <summary>Id of a special token such as "&lt;|eot_id|&gt;".</summary>
    public abstract int SpecialTokenId(string token);

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

    public abstract string Decode(IEnumerable<int> ids);

    private protected abstract void AppendIds(string text, List<int> ids);
}
