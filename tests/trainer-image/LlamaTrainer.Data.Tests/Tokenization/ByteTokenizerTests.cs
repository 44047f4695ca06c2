using System.Text;
using LlamaTrainer.Data.Tokenization;

namespace LlamaTrainer.Data.Tests.Tokenization;

public sealed class ByteTokenizerTests
{
    private readonly TextTokenizer _tokenizer = TextTokenizer.Bytes();

    [Theory]
    [InlineData("The code of the blue door is 4821.")]
    [InlineData("def add(a, b):\n    return a + b\n")]
    [InlineData("La porte bleue est fermée. Die Tür ist grün. 門は青い。 Дверь синяя. الباب أزرق. दरवाज़ा नीला है।")]
    [InlineData("emoji 🦙🚪 and a ZWJ family 👩‍👩‍👧 and combining e\u0301")]
    [InlineData("")]
    [InlineData("  \t\r\n  ")]
    public void Any_utf8_text_round_trips_as_its_bytes(string text)
    {
        var ids = _tokenizer.Encode(text);

        Assert.Equal(Encoding.UTF8.GetBytes(text).Select(b => (int)b), ids);
        Assert.Equal(text, _tokenizer.Decode(ids));
    }

    [Fact]
    public void Documents_are_wrapped_in_the_llama3_bos_and_eos_placed_after_the_256_bytes()
    {
        var document = _tokenizer.EncodeDocument("héllo");

        Assert.Equal([256, 104, 0xC3, 0xA9, 108, 108, 111, 257], document);
        Assert.Equal("bytes", _tokenizer.Name);
        Assert.Equal(256, _tokenizer.BosId);
        Assert.Equal(257, _tokenizer.EosId);
        Assert.Equal("<|begin_of_text|>héllo<|end_of_text|>", _tokenizer.Decode(document));
    }

    [Fact]
    public void Vocabulary_is_the_256_bytes_and_the_256_llama3_special_tokens()
    {
        Assert.Equal(512, _tokenizer.VocabSize);
        Assert.Equal(256 + Llama3SpecialTokens.EndOfTurnOffset, _tokenizer.SpecialTokenId("<|eot_id|>"));
        Assert.Equal(256 + Llama3SpecialTokens.StartHeaderOffset, _tokenizer.SpecialTokenId("<|start_header_id|>"));
        Assert.Equal(511, _tokenizer.SpecialTokenId("<|reserved_special_token_250|>"));
        Assert.Contains("no special token '<|endoftext|>'", Assert.Throws<ArgumentException>(() => _tokenizer.SpecialTokenId("<|endoftext|>")).Message);
    }

    [Fact]
    public void Special_token_text_inside_a_document_stays_bytes()
    {
        var ids = _tokenizer.Encode("<|begin_of_text|>");

        Assert.Equal(17, ids.Length);
        Assert.All(ids, id => Assert.InRange(id, 0, 255));
    }

    [Fact]
    public void Ids_outside_the_vocabulary_are_refused_and_broken_utf8_decodes_to_replacement_characters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _tokenizer.Decode([65, 512]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _tokenizer.Decode([-1]));
        Assert.Equal("A\uFFFD", _tokenizer.Decode([65, 0xE9]));
    }

    [Theory]
    [InlineData("bytes", 512)]
    [InlineData("cl100k_base", 100_277)]
    public void Tokenizers_load_by_the_name_their_shards_record(string name, int vocabSize)
    {
        var tokenizer = TextTokenizer.Named(name);

        Assert.Equal(name, tokenizer.Name);
        Assert.Equal(vocabSize, tokenizer.VocabSize);
        Assert.Contains("unknown tokenizer 'gpt2'", Assert.Throws<ArgumentException>(() => TextTokenizer.Named("gpt2")).Message);
        Assert.Contains("needs its tokenizer.model", Assert.Throws<ArgumentException>(() => TextTokenizer.Named("llama3")).Message);
    }
}
