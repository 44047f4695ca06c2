using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Data.Tests.TestDoubles;
using LlamaTrainer.Data.Tokenization;

namespace LlamaTrainer.Data.Tests.Preparation;

public sealed class RawSourcePreparationTests : IDisposable
{
    private const string Field = "spec.data.sources[1].prepareFrom";
    private static readonly TextTokenizer Tokenizer = TextTokenizer.Bytes();
    private static readonly string[] Texts = ["First doc.", "Zweites Dokument: grün.", "第三の文書。", "fourth", "fifth and last"];
    private readonly TempFolder _folder = new();
    private readonly CapturingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    private string Data => Path.Combine(_folder.Path, "data");

    private string Target => Path.Combine(Data, "general");

    [Fact]
    public async Task A_missing_shard_folder_is_tokenized_from_the_raw_file_with_the_last_documents_held_out()
    {
        var (index, prepared) = await Ensure(Source(Jsonl(Texts)), heldOut: 2);

        Assert.True(prepared);
        Assert.Equal(("general", "bytes", 512), (index.Source, index.Tokenizer, index.VocabSize));
        var store = new Storage.Local.LocalFolderStore(Target);
        Assert.Equal(Texts[..3], await Decode(store, index.Train));
        Assert.Equal(Texts[3..], await Decode(store, index.HeldOut));
        Assert.Equal(index.ToJson(), (await ShardIndex.LoadAsync(store)).ToJson());
        Assert.Equal(["general"], Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_prepared_source_is_left_as_it_is()
    {
        var raw = Jsonl(Texts);
        await Ensure(Source(raw), heldOut: 1);
        var indexFile = Path.Combine(Target, ShardIndex.FileName);
        var written = File.GetLastWriteTimeUtc(indexFile);
        File.WriteAllText(raw, "{\"text\": \"changed\"}\n");

        var (index, prepared) = await Ensure(Source(raw), heldOut: 1);

        Assert.False(prepared);
        Assert.Equal(4, index.Train.Documents);
        Assert.Equal(written, File.GetLastWriteTimeUtc(indexFile));
    }

    [Fact]
    public async Task Racing_processes_all_succeed_and_leave_one_complete_folder()
    {
        var raw = Jsonl(Enumerable.Range(0, 300).Select(i => $"Document {i} of the race."));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Ensure(Source(raw), heldOut: 3))));

        Assert.All(results, r => Assert.Equal(results[0].Index.ToJson(), r.Index.ToJson()));
        Assert.Contains(results, r => r.Prepared);
        Assert.Equal(["general"], Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName));
        var store = new Storage.Local.LocalFolderStore(Target);
        Assert.Equal(297, (await Decode(store, (await ShardIndex.LoadAsync(store)).Train)).Count);
    }

    [Fact]
    public async Task An_existing_empty_shard_folder_is_filled()
    {
        Directory.CreateDirectory(Target);

        var (index, prepared) = await Ensure(Source(Jsonl(Texts)), heldOut: 0);

        Assert.True(prepared);
        Assert.Equal(Texts, await Decode(new Storage.Local.LocalFolderStore(Target), index.Train));
    }

    [Fact]
    public async Task In_blob_storage_the_index_is_written_after_every_shard()
    {
        var root = new InMemoryObjectStore();
        var raw = Jsonl(Enumerable.Range(0, 200).Select(i => $"Document {i} with some text to fill shards."));
        var source = new RawSource("general", "https://account.blob.core.windows.net/data/general", raw, Field);

        var (index, prepared) = await RawSourcePreparation.EnsurePreparedAsync(source, root.Under("general"), Tokenizer, 10, _log.Logger);

        Assert.True(prepared);
        Assert.Equal("general/index.json", root.PutOrder.Last());
        Assert.Equal(index.Train.Shards.Count + index.HeldOut.Shards.Count + 1, root.PutOrder.Count);
    }

    [Fact]
    public async Task A_missing_raw_file_is_named_with_its_field_and_nothing_is_written()
    {
        var missing = Path.Combine(_folder.Path, "corpus", "nope.jsonl");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Ensure(Source(missing), heldOut: 0));

        Assert.Contains($"{Field} '{missing}' does not exist", error.Message);
        Assert.False(Directory.Exists(Data) && Directory.EnumerateFileSystemEntries(Data).Any());
    }

    [Fact]
    public async Task A_line_without_a_text_field_is_named_with_its_field_and_line()
    {
        var raw = _folder.Write("corpus/bad.jsonl", "{\"text\": \"fine\"}\n{\"body\": \"no text field\"}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Ensure(Source(raw), heldOut: 0));

        Assert.Contains($"{Field} '{raw}' line 2 is not a JSON object with a string field \"text\"", error.Message);
        Assert.False(Directory.Exists(Target));
    }

    [Fact]
    public async Task Holding_out_every_document_is_an_error_naming_the_field_and_leaves_no_folder()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Ensure(Source(Jsonl(Texts)), heldOut: 5));

        Assert.Contains($"{Field} '", error.Message);
        Assert.Contains("all held out", error.Message);
        Assert.Equal([], Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName));
    }

    private RawSource Source(string raw) => new("general", Target, raw, Field);

    private Task<(ShardIndex Index, bool Prepared)> Ensure(RawSource source, int heldOut) =>
        RawSourcePreparation.EnsurePreparedAsync(source, Tokenizer, heldOut, _log.Logger);

    private string Jsonl(IEnumerable<string> texts) =>
        _folder.Write("corpus/general.jsonl", string.Join('\n', texts.Select(t => System.Text.Json.JsonSerializer.Serialize(new { text = t }))) + "\n");

    private static async Task<List<string>> Decode(Storage.IObjectStore store, ShardSet set)
    {
        var index = await ShardIndex.LoadAsync(store);
        var documents = new List<string>();
        foreach (var entry in set.Shards)
        {
            var shard = await index.LoadShardAsync(store, entry);
            for (var d = 0; d < shard.DocumentCount; d++)
            {
                documents.Add(Tokenizer.Decode(shard.Document(d).ToArray()[1..^1]));
            }
        }

        return documents;
    }
}
