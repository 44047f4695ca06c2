using System.Text.Json.Nodes;
using LlamaTrainer.Storage.Checkpoints.Tensors;

namespace LlamaTrainer.Storage.Tests.Checkpoints.Tensors;

/// <summary>tensors.json is a format other tools may read: its field names and enum spelling are a contract.</summary>
public sealed class TensorIndexJsonTests
{
    private static readonly TensorIndex Sample = new(
    [
        new StoredTensor("layers.0.wq", ElementType.BFloat16, [4, 3],
            [new StoredPiece("rank-00001.bin", 64, 24, TensorRegion.Rows([4, 3], 0, 4), new string('b', 64))]),
    ]);

    [Fact]
    public void Fields_are_camel_case_and_types_are_named()
    {
        var json = JsonNode.Parse(StoredJson.Serialize(Sample))!.AsObject();
        var tensor = json["tensors"]![0]!.AsObject();
        var piece = tensor["pieces"]![0]!.AsObject();

        Assert.Equal(["name", "type", "shape", "pieces"], tensor.Select(p => p.Key));
        Assert.Equal("BFloat16", (string)tensor["type"]!);
        Assert.Equal(["shard", "offset", "bytes", "region", "sha256"], piece.Select(p => p.Key));
        Assert.Equal(["start", "length"], piece["region"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void An_index_round_trips_with_equal_pieces()
    {
        var back = StoredJson.Deserialize<TensorIndex>(StoredJson.Serialize(Sample), "tensors.json");

        Assert.Equal(Sample.Tensors[0].Pieces, back.Tensors[0].Pieces);
        Assert.Equal(Sample.Tensors[0].Shape, back.Tensors[0].Shape);
        Assert.Equal(ElementType.BFloat16, back.Tensors[0].Type);
    }

    [Fact]
    public void A_piece_without_a_region_is_rejected_naming_the_field()
    {
        var json = """{"tensors":[{"name":"w","type":"Float32","shape":[2],"pieces":[{"shard":"rank-00000.bin","offset":0,"bytes":8,"sha256":"x"}]}]}"""u8.ToArray();

        var e = Assert.Throws<InvalidDataException>(() => StoredJson.Deserialize<TensorIndex>(json, "ckpt/tensors.json"));

        Assert.Contains("ckpt/tensors.json", e.Message);
        Assert.Contains("region", e.Message);
    }
}
