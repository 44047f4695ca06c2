using System.Buffers.Binary;
using LlamaTrainer.Data.Shards;

namespace LlamaTrainer.Data.Tests.Shards;

public sealed class TokenShardFormatTests
{
    private static TokenShard Sample() => new("cl100k_base", 100_277, [100_256, 5, 6, 100_257, 100_256, 7, 100_257], [0, 4, 7]);

    [Fact]
    public void Written_shard_reads_back_identically()
    {
        var shard = Sample();

        var bytes = TokenShardFormat.Write(shard);
        var read = TokenShardFormat.Read(bytes, "s");

        Assert.Equal(TokenShardFormat.SizeOf("cl100k_base", 7, 2), bytes.Length);
        Assert.Equal("cl100k_base", read.TokenizerName);
        Assert.Equal(100_277, read.VocabSize);
        Assert.Equal(shard.Tokens, read.Tokens);
        Assert.Equal(shard.DocumentStarts, read.DocumentStarts);
        Assert.Equal([100_256, 7, 100_257], read.Document(1).ToArray());
    }

    [Fact]
    public void Header_starts_with_magic_version_and_counts()
    {
        var bytes = TokenShardFormat.Write(Sample());

        Assert.Equal("LLTSHARD"u8.ToArray(), bytes[..8]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(7ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24)));
    }

    [Fact]
    public void Any_flipped_byte_is_detected()
    {
        var bytes = TokenShardFormat.Write(Sample());

        for (var i = 0; i < bytes.Length; i++)
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[i] ^= 0x10;
            var error = Assert.Throws<InvalidDataException>(() => TokenShardFormat.Read(corrupted, "data/general/train-00000.ltshard"));
            Assert.Contains("data/general/train-00000.ltshard", error.Message);
        }
    }

    [Theory]
    [InlineData(1, "truncated")]
    [InlineData(-1, "truncated")]
    public void Truncated_or_padded_shard_is_reported(int sizeChange, string expected)
    {
        var bytes = TokenShardFormat.Write(Sample());
        var changed = new byte[bytes.Length + sizeChange];
        Array.Copy(bytes, changed, Math.Min(bytes.Length, changed.Length));

        var error = Assert.Throws<InvalidDataException>(() => TokenShardFormat.Read(changed, "x"));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Other_files_are_not_taken_for_shards()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenShardFormat.Read("{\"not\": \"a shard at all, just some json\"}"u8, "index.json"));

        Assert.Contains("magic", error.Message);
    }

    [Fact]
    public void Builder_cuts_shards_at_the_byte_budget_without_splitting_documents()
    {
        var budget = TokenShardFormat.SizeOf("t", 10, 2);
        var builder = new ShardBuilder("t", 50, budget);
        var closed = new List<TokenShard>();
        for (var d = 0; d < 7; d++)
        {
            if (builder.Add([1, d, d, 2]) is { } shard)
            {
                closed.Add(shard);
            }
        }

        closed.Add(builder.Flush()!);

        Assert.Null(builder.Flush());
        Assert.All(closed, s => Assert.True(TokenShardFormat.Write(s).Length <= budget));
        Assert.Equal(7, closed.Sum(s => s.DocumentCount));
        Assert.Equal([2, 2, 2, 1], closed.Select(s => s.DocumentCount));
        Assert.Equal([1, 6, 6, 2], closed[^1].Document(0).ToArray());
    }

    [Fact]
    public void Builder_gives_an_oversized_document_a_shard_of_its_own()
    {
        var builder = new ShardBuilder("t", 50, TokenShardFormat.SizeOf("t", 4, 1));

        Assert.Null(builder.Add([1, 3, 2]));
        var first = builder.Add([1, 4, 4, 4, 4, 4, 4, 2]);
        var second = builder.Flush();

        Assert.Equal(3, first!.Tokens.Length);
        Assert.Equal(8, second!.Tokens.Length);
    }
}
