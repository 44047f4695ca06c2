using System.Text;
using LlamaOperator.TestSupport;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Data.Tests.TestDoubles;
using LlamaTrainer.Data.Tokenization;
using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Tests.Preparation;

/// <summary>prepareFrom and the shard folder in blob storage (Azurite): the raw file is read from its blob URL.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobRawSourcePreparationTests(AzuriteFixture azurite)
{
    private const string Field = "spec.data.sources[0].prepareFrom";
    private static readonly string[] Texts = ["Un.", "Zwei: grün.", "三。", "four", "five"];
    private readonly BlobCredentials _credentials = new() { ConnectionString = azurite.ConnectionString };
    private readonly CapturingLogger _log = new();

    [Fact]
    public async Task A_blob_source_is_prepared_from_a_blob_file_once()
    {
        var container = azurite.NewContainerUrl();
        var jsonl = string.Join('\n', Texts.Select(t => System.Text.Json.JsonSerializer.Serialize(new { text = t })));
        await ObjectStores.Open(container, _credentials).PutAsync("raw/general.jsonl", new MemoryStream(Encoding.UTF8.GetBytes(jsonl)));
        var source = new RawSource("general", $"{container}/data/general", $"{container}/raw/general.jsonl", Field);

        var first = await RawSourcePreparation.EnsurePreparedAsync(source, TextTokenizer.Bytes(), 2, _log.Logger, _credentials);
        var second = await RawSourcePreparation.EnsurePreparedAsync(source, TextTokenizer.Bytes(), 2, _log.Logger, _credentials);

        Assert.Equal((true, false), (first.Prepared, second.Prepared));
        var store = ObjectStores.Open($"{container}/data/general", _credentials);
        var index = await ShardIndex.LoadAsync(store);
        Assert.Equal(first.Index.ToJson(), index.ToJson());
        var shard = await index.LoadShardAsync(store, index.HeldOut.Shards[0]);
        Assert.Equal(["four", "five"], Enumerable.Range(0, shard.DocumentCount).Select(d => TextTokenizer.Bytes().Decode(shard.Document(d).ToArray()[1..^1])));
    }

    [Fact]
    public async Task A_missing_blob_file_is_named_with_its_field()
    {
        var container = azurite.NewContainerUrl();
        await ObjectStores.Open(container, _credentials).PutAsync("raw/other.jsonl", new MemoryStream([1]));
        var source = new RawSource("general", $"{container}/data/general", $"{container}/raw/general.jsonl", Field);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => RawSourcePreparation.EnsurePreparedAsync(source, TextTokenizer.Bytes(), 0, _log.Logger, _credentials));

        Assert.Contains($"{Field} '{container}/raw/general.jsonl' cannot be read", error.Message);
        Assert.False(await ObjectStores.Open($"{container}/data/general", _credentials).ExistsAsync(ShardIndex.FileName));
    }
}
