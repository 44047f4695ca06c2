using System.Text;
using System.Text.Json.Nodes;
using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

/// <summary>The manifest's JSON is read by the operator, possibly other tools: its field names are a contract.</summary>
public sealed class CheckpointManifestJsonTests
{
    [Fact]
    public void Fields_are_camel_case_as_documented()
    {
        var manifest = CheckpointFixtures.Draft(5) with
        {
            Id = "step-0000000005",
            LengthIndex = 1,
            Shards = [new ShardDigest("model.bin", 3, new string('a', 64))],
            Layout = new CheckpointLayout(Tp: 2, Cp: 1, Pp: 1, Dp: 4, WorldSize: 8),
            Evals = new CheckpointEvals { ShortContextLoss = 2.0, Needle = [new NeedleResult(8192, 1.0, 10)] },
        };

        var json = JsonNode.Parse(StoredJson.Serialize(manifest))!.AsObject();

        Assert.Equal(
            ["formatVersion", "id", "stage", "stageIndex", "lengthIndex", "step", "tokens", "stageTokens", "sequenceLength", "createdAt", "stageEnd", "shards", "layout", "metrics", "evals", "dataCursor", "extra"],
            json.Select(p => p.Key));
        Assert.Equal(["name", "bytes", "sha256"], json["shards"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["loss", "learningRate", "tokensPerSecond", "mfu"], json["metrics"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["length", "accuracy", "trials"], json["evals"]!["needle"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["tp", "cp", "pp", "dp", "worldSize"], json["layout"]!.AsObject().Select(p => p.Key));
        Assert.Equal(CheckpointManifest.CurrentFormatVersion, (int)json["formatVersion"]!);
    }

    [Fact]
    public void A_nan_loss_survives_a_round_trip()
    {
        var manifest = CheckpointFixtures.Draft(5) with { Metrics = new TrainingMetrics(double.NaN, 1e-4, 10) };

        var back = StoredJson.Deserialize<CheckpointManifest>(StoredJson.Serialize(manifest), "test");

        Assert.True(double.IsNaN(back.Metrics.Loss));
        Assert.Null(back.Metrics.Mfu);
    }

    [Fact]
    public void A_manifest_missing_a_required_field_is_rejected_naming_it_and_the_file()
    {
        var json = """{"id":"step-0000000001","stage":"pretrain","stageIndex":0,"step":1,"tokens":1,"stageTokens":1,"metrics":{"loss":1,"learningRate":1,"tokensPerSecond":1}}""";

        var e = Assert.Throws<InvalidDataException>(() => StoredJson.Deserialize<CheckpointManifest>(Encoding.UTF8.GetBytes(json), "ckpt/step-0000000001/manifest.json"));

        Assert.Contains("ckpt/step-0000000001/manifest.json", e.Message);
        Assert.Contains("sequenceLength", e.Message);
    }
}
