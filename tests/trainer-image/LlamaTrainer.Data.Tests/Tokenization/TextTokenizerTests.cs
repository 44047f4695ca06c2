using LlamaTrainer.Data.Tests.TestDoubles;
using LlamaTrainer.Data.Tokenization;
using Microsoft.ML.Tokenizers;

namespace LlamaTrainer.Data.Tests.Tokenization;

public sealed class TextTokenizerTests
{
    private static readonly string[] Texts =
    [
        "The code of the blue door is 4821.",
        "def add(a, b):\n    return a + b\n",
        "La porte bleue est fermée. Die Tür ist grün. 門は青い。",
        "  leading spaces,\ttabs and trailing newline\n\n",
    ];

    [Fact]
    public void Cl100kBase_round_trips_text_and_wraps_documents_in_bos_and_eos()
    {
        var tokenizer = TextTokenizer.Cl100kBase();

        Assert.Equal("cl100k_base", tokenizer.Name);
        Assert.Equal(100_277, tokenizer.VocabSize);
        Assert.Equal(100_256, tokenizer.BosId);
        Assert.Equal(100_257, tokenizer.EosId);
        foreach (var text in Texts)
        {
            var document = tokenizer.EncodeDocument(text);
            Assert.Equal(tokenizer.BosId, document[0]);
            Assert.Equal(tokenizer.EosId, document[^1]);
            Assert.Equal(text, tokenizer.Decode(document[1..^1]));
            Assert.All(document, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        }
    }

    [Fact]
    public void Cl100kBase_gives_the_same_ids_as_the_packaged_encoding()
    {
        var reference = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var tokenizer = TextTokenizer.Cl100kBase();

        foreach (var text in Texts)
        {
            Assert.Equal(reference.EncodeToIds(text), tokenizer.Encode(text));
        }
    }

    [Fact]
    public void Special_token_text_inside_a_document_stays_plain_text()
    {
        var tokenizer = TextTokenizer.Cl100kBase();

        var ids = tokenizer.Encode("before <|endoftext|> after");

        Assert.DoesNotContain(tokenizer.EosId, ids);
        Assert.Equal("before <|endoftext|> after", tokenizer.Decode(ids));
    }

    [Fact]
    public void Long_runs_without_whitespace_are_encoded_in_pieces_and_still_round_trip()
    {
        var tokenizer = TextTokenizer.Cl100kBase();
        var text = "start " + new string('門', (2 * TextTokenizer.MaxRunChars) + 1) + " " + string.Concat(Enumerable.Repeat("😀", TextTokenizer.MaxRunChars)) + " end";

        var ids = tokenizer.Encode(text);

        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void Llama3_ranks_file_gives_the_llama3_special_ids_after_the_ranks()
    {
        var path = WriteTemp(TinyRanksFile.Create(["he", "ll", "hell", "hello", " w"]));
        try
        {
            var tokenizer = TextTokenizer.Load(path);

            Assert.Equal("llama3", tokenizer.Name);
            Assert.Equal(261, tokenizer.BosId);
            Assert.Equal(262, tokenizer.EosId);
            Assert.Equal(261 + 256, tokenizer.VocabSize);
            Assert.Equal(261 + 9, tokenizer.SpecialTokenId("<|eot_id|>"));
            Assert.Equal(259, tokenizer.Encode("hello")[0]);
            foreach (var text in Texts)
            {
                Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeDocument(text)[1..^1]));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Llama3_file_with_128000_ranks_has_the_published_special_ids()
    {
        var tokenizer = TextTokenizer.Llama3(new MemoryStream(TinyRanksFile.Create(["he"], totalRanks: 128_000)), "big.model");

        Assert.Equal(128_000, tokenizer.BosId);
        Assert.Equal(128_001, tokenizer.EosId);
        Assert.Equal(128_006, tokenizer.SpecialTokenId("<|start_header_id|>"));
        Assert.Equal(128_007, tokenizer.SpecialTokenId("<|end_header_id|>"));
        Assert.Equal(128_009, tokenizer.SpecialTokenId("<|eot_id|>"));
        Assert.Equal(128_255, tokenizer.SpecialTokenId("<|reserved_special_token_250|>"));
        Assert.Equal(128_256, tokenizer.VocabSize);
    }

    [Fact]
    public void Bad_ranks_files_are_rejected_with_the_file_and_line()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => TextTokenizer.Load("/no/such/tokenizer.model"));
        Assert.Contains("/no/such/tokenizer.model", missing.Message);

        var garbage = Assert.Throws<InvalidDataException>(() => TextTokenizer.Llama3(new MemoryStream("aGk= 0\nnot-a-rank-line\n"u8.ToArray()), "bad.model"));
        Assert.Contains("bad.model", garbage.Message);
        Assert.Contains("line 2", garbage.Message);

        var gap = Assert.Throws<InvalidDataException>(() => TextTokenizer.Llama3(new MemoryStream("aGk= 0\naGo= 5\n"u8.ToArray()), "gap.model"));
        Assert.Contains("highest rank is 5", gap.Message);
    }

    private static string WriteTemp(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, content);
        return path;
    }
}
