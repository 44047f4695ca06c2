using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Data.Tests.TestDoubles;
using LlamaTrainer.Data.Tokenization;
using Serilog.Events;

namespace LlamaTrainer.Data.Tests.Preparation;

public sealed class PrepareDataCommandTests : IDisposable
{
    private static readonly TextTokenizer Tokenizer = TextTokenizer.Cl100kBase();
    private readonly TempFolder _folder = new();
    private readonly InMemoryObjectStore _output = new();
    private readonly CapturingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Jsonl_and_text_sources_become_shards_that_hold_every_document_between_bos_and_eos()
    {
        var jsonl = _folder.Write("math/a.jsonl", "{\"content\": \"1 + 1 = 2\"}\n\n{\"content\": \"2 + 3 = 5\", \"id\": 7}\n");
        _folder.Write("general/one.txt", "The first document.\n\nStill the first one.");
        _folder.Write("general/two.txt", "The second document.");
        _folder.Write("general/notes.md", "not an input: only .txt and .jsonl are read from folders");

        var exit = await Run(o => o with
        {
            Sources = [new("math", [jsonl]), new("general", [Path.Combine(_folder.Path, "general")])],
            TextField = "content",
        });

        Assert.Equal(PrepareDataCommand.Success, exit);
        Assert.Equal(["1 + 1 = 2", "2 + 3 = 5"], await DecodedDocuments("math"));
        Assert.Equal(["The first document.\n\nStill the first one.", "The second document."], await DecodedDocuments("general"));
        var index = await ShardIndex.LoadAsync(_output.Under("general"));
        Assert.Equal("cl100k_base", index.Tokenizer);
        Assert.Equal(Tokenizer.VocabSize, index.VocabSize);
        Assert.Equal(Tokenizer.BosId, index.BosId);
        Assert.Equal(2, index.Train.Documents);
    }

    [Fact]
    public async Task Blank_line_split_makes_each_paragraph_a_document()
    {
        var text = _folder.Write("para.txt", "First paragraph\nsecond line.\n\n\n  \nSecond paragraph.\n");

        var exit = await Run(o => o with { Sources = [new("general", [text])], TextSplit = TextDocumentSplit.BlankLine });

        Assert.Equal(PrepareDataCommand.Success, exit);
        Assert.Equal(["First paragraph\nsecond line.", "Second paragraph."], await DecodedDocuments("general"));
    }

    [Fact]
    public async Task Shards_are_cut_at_the_size_limit_and_the_last_documents_are_held_out()
    {
        var lines = Enumerable.Range(0, 40).Select(i => $"{{\"text\": \"Document number {i} says hello.\"}}");
        var jsonl = _folder.Write("many.jsonl", string.Join('\n', lines));

        var exit = await Run(o => o with { Sources = [new("general", [jsonl])], MaxShardBytes = 1024, HeldOutDocuments = 5 });

        Assert.Equal(PrepareDataCommand.Success, exit);
        var index = await ShardIndex.LoadAsync(_output.Under("general"));
        Assert.Equal(35, index.Train.Documents);
        Assert.Equal(5, index.HeldOut.Documents);
        Assert.True(index.Train.Shards.Count > 1);
        Assert.All(index.Train.Shards, s => Assert.True(s.Bytes <= 1024));
        var heldOut = await DecodedDocuments("general", index.HeldOut);
        Assert.Equal(Enumerable.Range(35, 5).Select(i => $"Document number {i} says hello."), heldOut);
    }

    [Fact]
    public async Task Output_does_not_depend_on_the_number_of_threads()
    {
        var lines = Enumerable.Range(0, 1200).Select(i => $"{{\"text\": \"Line {i}: the code of door {i % 17} is {i * 37 % 9973}.\"}}");
        var jsonl = _folder.Write("many.jsonl", string.Join('\n', lines));
        var single = new InMemoryObjectStore();

        await Run(o => o with { Sources = [new("general", [jsonl])], MaxDegreeOfParallelism = 2 });
        await Run(o => o with { Sources = [new("general", [jsonl])], MaxDegreeOfParallelism = 1, Output = single });

        Assert.Equal(_output.Keys, single.Keys);
        Assert.All(_output.Keys, key => Assert.Equal(_output.Get(key), single.Get(key)));
    }

    [Fact]
    public async Task Bad_files_are_each_reported_with_path_and_problem_and_fail_the_command()
    {
        var good = _folder.Write("good.txt", "fine text");
        var empty = _folder.Write("empty.txt", "");
        var binary = _folder.WriteBytes("binary.txt", [(byte)'a', (byte)'b', 0, 1, 2]);
        var latin1 = _folder.WriteBytes("latin1.txt", [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'!']);
        var notJson = _folder.Write("broken.jsonl", "{\"text\": \"ok\"}\n{\"text\": 5}\n");
        var missing = Path.Combine(_folder.Path, "missing.txt");
        _folder.Write("docs/readme.md", "no .txt or .jsonl here");
        var folderWithoutInputs = Path.Combine(_folder.Path, "docs");

        var exit = await Run(o => o with { Sources = [new("general", [good, empty, binary, latin1, notJson, missing, folderWithoutInputs])] });

        Assert.Equal(PrepareDataCommand.BadInput, exit);
        var errors = _log.Messages(LogEventLevel.Error);
        Assert.Contains(errors, m => m.Contains(empty) && m.Contains("is empty"));
        Assert.Contains(errors, m => m.Contains(binary) && m.Contains("NUL byte at offset 2"));
        Assert.Contains(errors, m => m.Contains(latin1) && m.Contains("not valid UTF-8") && m.Contains("offset 3"));
        Assert.Contains(errors, m => m.Contains(notJson) && m.Contains("line 2") && m.Contains("\"text\""));
        Assert.Contains(errors, m => m.Contains(missing) && m.Contains("does not exist"));
        Assert.Contains(errors, m => m.Contains(folderWithoutInputs) && m.Contains("folder without .txt or .jsonl files"));
        Assert.Contains(errors, m => m.Contains("--skip-bad-files"));
        Assert.Empty(_output.Keys);
    }

    [Fact]
    public async Task Skip_bad_files_goes_on_with_the_good_ones()
    {
        var good = _folder.Write("good.txt", "fine text");
        var whitespace = _folder.Write("blank.txt", " \n\t\n");

        var exit = await Run(o => o with { Sources = [new("general", [good, whitespace])], SkipBadFiles = true });

        Assert.Equal(PrepareDataCommand.Success, exit);
        Assert.Contains(_log.Messages(LogEventLevel.Warning), m => m.Contains(whitespace) && m.Contains("only whitespace"));
        Assert.Equal(["fine text"], await DecodedDocuments("general"));
    }

    [Fact]
    public void Utf8_check_handles_characters_cut_by_read_chunks()
    {
        // 1 MiB of 3-byte characters puts a character across the inspector's 1 MiB chunk boundary.
        var text = _folder.Write("wide.txt", new string('門', (1 << 20) / 3 + 5));
        var bad = _folder.WriteBytes("bad-late.txt", [.. File.ReadAllBytes(text), 0xFF]);

        Assert.Null(InputFileInspector.FindProblem(InputFile.For(text), "text"));
        Assert.Contains($"offset {new FileInfo(text).Length}", InputFileInspector.FindProblem(InputFile.For(bad), "text"));
    }

    [Theory]
    [InlineData("General", "must match")]
    [InlineData("", "must match")]
    public async Task Invalid_source_names_are_option_errors(string name, string expected)
    {
        var good = _folder.Write("good.txt", "fine text");

        var exit = await Run(o => o with { Sources = [new(name, [good])] });

        Assert.Equal(PrepareDataCommand.InvalidOptions, exit);
        Assert.Contains(_log.Messages(LogEventLevel.Error), m => m.Contains(expected));
    }

    [Fact]
    public async Task Missing_tokenizer_model_is_an_option_error()
    {
        var good = _folder.Write("good.txt", "fine text");

        var exit = await Run(o => o with { Sources = [new("general", [good])], TokenizerModelPath = "/nowhere/tokenizer.model" });

        Assert.Equal(PrepareDataCommand.InvalidOptions, exit);
        Assert.Contains(_log.Messages(LogEventLevel.Error), m => m.Contains("/nowhere/tokenizer.model"));
    }

    [Fact]
    public async Task The_byte_tokenizer_is_chosen_by_name()
    {
        var jsonl = _folder.Write("multilingual.jsonl", "{\"text\": \"Die Tür ist grün. 門は青い。\"}\n");

        var exit = await Run(o => o with { Sources = [new("multilingual", [jsonl])], TokenizerName = "bytes" });

        Assert.Equal(PrepareDataCommand.Success, exit);
        var store = _output.Under("multilingual");
        var index = await ShardIndex.LoadAsync(store);
        Assert.Equal(("bytes", 512, 256, 257), (index.Tokenizer, index.VocabSize, index.BosId, index.EosId));
        var document = (await index.LoadShardAsync(store, index.Train.Shards[0])).Document(0).ToArray();
        Assert.Equal("Die Tür ist grün. 門は青い。", TextTokenizer.Bytes().Decode(document[1..^1]));
    }

    [Fact]
    public async Task Unknown_tokenizer_name_is_an_option_error()
    {
        var good = _folder.Write("good.txt", "fine text");

        var exit = await Run(o => o with { Sources = [new("general", [good])], TokenizerName = "gpt2" });

        Assert.Equal(PrepareDataCommand.InvalidOptions, exit);
        Assert.Contains(_log.Messages(LogEventLevel.Error), m => m.Contains("unknown tokenizer 'gpt2'"));
    }

    [Fact]
    public void Source_values_parse_as_name_equals_paths()
    {
        Assert.Equal(["a.jsonl", "dir"], SourceInput.Parse("math=a.jsonl,dir").Paths);
        Assert.Equal("math", SourceInput.Parse("math=a.jsonl").Name);
        Assert.Contains("name=path", Assert.Throws<FormatException>(() => SourceInput.Parse("a.jsonl")).Message);
    }

    private Task<int> Run(Func<PrepareDataOptions, PrepareDataOptions> configure) =>
        PrepareDataCommand.RunAsync(configure(new PrepareDataOptions { Sources = [], Output = _output }), _log.Logger);

    private async Task<List<string>> DecodedDocuments(string source, ShardSet? set = null)
    {
        var store = _output.Under(source);
        var index = await ShardIndex.LoadAsync(store);
        var documents = new List<string>();
        foreach (var entry in (set ?? index.Train).Shards)
        {
            var shard = await index.LoadShardAsync(store, entry);
            for (var d = 0; d < shard.DocumentCount; d++)
            {
                var tokens = shard.Document(d).ToArray();
                Assert.Equal(Tokenizer.BosId, tokens[0]);
                Assert.Equal(Tokenizer.EosId, tokens[^1]);
                documents.Add(Tokenizer.Decode(tokens[1..^1]));
            }
        }

        return documents;
    }
}
