using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace LlamaTrainer.Data.Shards;

/// <summary>
/// The binary shard format (".ltshard", little-endian):
/// <code>
/// 0   8 bytes  magic "LLTSHARD"
/// 8   u32      format version (1)
/// 12  u32      vocabulary size (every token is below it)
/// 16  u64      token count T
/// 24  u64      document count D
/// 32  u32      tokenizer name length N, then N bytes UTF-8, zero-padded to a multiple of 4
///     u32[T]   tokens
///     u64[D+1] document start offsets into the tokens; the last one is T
///     u64      XxHash3 of every byte before it
/// </code>
/// </summary>
public static class TokenShardFormat
{
    public const int Version = 1;
    public const string FileExtension = ".ltshard";
    private const int FixedHeaderBytes = 36;
    private const int MaxTokenizerNameBytes = 256;
    private static readonly byte[] Magic = "LLTSHARD"u8.ToArray();

    /// <summary>Size of a shard with these contents, so a writer can cut shards before they pass a byte budget.</summary>
    public static long SizeOf(string tokenizerName, long tokenCount, long documentCount) =>
        HeaderBytes(tokenizerName) + (4 * tokenCount) + (8 * (documentCount + 1)) + 8;

    public static byte[] Write(TokenShard shard)
    {
        var name = Encoding.UTF8.GetBytes(shard.TokenizerName);
        if (name.Length > MaxTokenizerNameBytes)
        {
            throw new ArgumentException($"tokenizer name is {name.Length} bytes; at most {MaxTokenizerNameBytes} fit a shard header", nameof(shard));
        }

        var bytes = new byte[SizeOf(shard.TokenizerName, shard.Tokens.Length, shard.DocumentCount)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)shard.VocabSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)shard.Tokens.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)shard.DocumentCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], (uint)name.Length);
        name.CopyTo(span[FixedHeaderBytes..]);

        var at = HeaderBytes(shard.TokenizerName);
        foreach (var token in shard.Tokens)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)token);
            at += 4;
        }

        foreach (var start in shard.DocumentStarts)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], (ulong)start);
            at += 8;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[at..], XxHash3.HashToUInt64(span[..at]));
        return bytes;
    }

    /// <summary>Parses and verifies a shard; <paramref name="name"/> names it in errors.</summary>
    public static TokenShard Read(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < FixedHeaderBytes + 8 || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw Corrupt(name, "not a token shard (magic \"LLTSHARD\" missing)");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != Version)
        {
            throw Corrupt(name, $"format version {version}, this reader knows version {Version}");
        }

        var vocabSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        var tokenCount = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        var documentCount = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        var nameLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]);
        if (nameLength == 0 || nameLength > MaxTokenizerNameBytes || vocabSize == 0 || vocabSize > int.MaxValue
            || tokenCount > int.MaxValue / 4 || documentCount > tokenCount)
        {
            throw Corrupt(name, "header fields out of range");
        }

        var tokenizerName = Encoding.UTF8.GetString(bytes.Slice(FixedHeaderBytes, (int)nameLength));
        var expectedLength = SizeOf(tokenizerName, (long)tokenCount, (long)documentCount);
        if (bytes.Length != expectedLength)
        {
            throw Corrupt(name, $"{bytes.Length} bytes, the header promises {expectedLength} (truncated or padded)");
        }

        var checksumAt = bytes.Length - 8;
        if (XxHash3.HashToUInt64(bytes[..checksumAt]) != BinaryPrimitives.ReadUInt64LittleEndian(bytes[checksumAt..]))
        {
            throw Corrupt(name, "checksum mismatch (the shard is corrupted)");
        }

        var at = HeaderBytes(tokenizerName);
        var tokens = new int[tokenCount];
        for (var i = 0; i < tokens.Length; i++, at += 4)
        {
            var token = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
            if (token >= vocabSize)
            {
                throw Corrupt(name, $"token {i} is {token}, not below the vocabulary size {vocabSize}");
            }

            tokens[i] = (int)token;
        }

        var starts = new int[documentCount + 1];
        for (var d = 0; d < starts.Length; d++, at += 8)
        {
            var start = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
            var previous = d == 0 ? 0 : starts[d - 1];
            if (start > tokenCount || (d > 0 && (long)start <= previous) || (d == 0 && start != 0))
            {
                throw Corrupt(name, $"document offset {d} is {start}; offsets must start at 0 and increase up to the token count {tokenCount}");
            }

            starts[d] = (int)start;
        }

        if (starts[^1] != (int)tokenCount)
        {
            throw Corrupt(name, $"the last document offset is {starts[^1]}, expected the token count {tokenCount}");
        }

        return new TokenShard(tokenizerName, (int)vocabSize, tokens, starts);
    }

    private static int HeaderBytes(string tokenizerName)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(tokenizerName);
        return FixedHeaderBytes + ((nameBytes + 3) / 4 * 4);
    }

    private static InvalidDataException Corrupt(string name, string what) => new($"shard '{name}': {what}");
}
