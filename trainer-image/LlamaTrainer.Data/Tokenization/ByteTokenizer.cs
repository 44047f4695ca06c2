using System.Text;

namespace LlamaTrainer.Data.Tokenization;

/// <summary>
/// UTF-8 bytes as tokens: ids 0..255 are the byte values, then the 256 Llama 3 special tokens in Llama 3's order
/// (256 &lt;|begin_of_text|&gt;, 257 &lt;|end_of_text|&gt;, ... 265 &lt;|eot_id|&gt;): 512 ids. Any text round-trips, and
/// a tiny model's output head stays 512 wide instead of 100k (its cost on a CPU).
/// </summary>
internal sealed class ByteTokenizer : TextTokenizer
{
    private const int ByteValues = 256;

    private static readonly Dictionary<string, int> Specials = Llama3SpecialTokens.For(ByteValues);

    public ByteTokenizer()
        : base(BytesName, ByteValues + Llama3SpecialTokens.BeginOfTextOffset, ByteValues + Llama3SpecialTokens.EndOfTextOffset, ByteValues + Llama3SpecialTokens.Count)
    {
    }

    public override int SpecialTokenId(string token) =>
        Specials.TryGetValue(token, out var id)
            ? id
            : throw new ArgumentException($"tokenizer {Name} has no special token '{token}'", nameof(token));

    /// <summary>Bytes back to text (invalid UTF-8 becomes U+FFFD); special tokens decode to their names.</summary>
    public override string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id is >= 0 and < ByteValues)
            {
                bytes.Add((byte)id);
                continue;
            }

            if (id < ByteValues || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"tokenizer {Name} has ids 0..{VocabSize - 1}");
            }

            text.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
            text.Append(Llama3SpecialTokens.Names[id - ByteValues]);
        }

        return text.Append(Encoding.UTF8.GetString([.. bytes])).ToString();
    }

    private protected override void AppendIds(string text, List<int> ids)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            ids.Add(b);
        }
    }
}
