using System.ComponentModel;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("Training data: token shards per source (prepared beforehand, or by the trainer from raw JSON Lines), mixed by weight.")]
public sealed class DataSpec
{
    [Description("Data sources. Weights must be positive and sum to 1; the Llama 3 mix is 0.50 general, 0.25 math and reasoning, 0.17 code, 0.08 multilingual.")]
    [RequiredField]
    [MinItems(1)]
    public List<DataSourceSpec> Sources { get; set; } = [];

    [Description("Seed of the data sampler; the same seed gives the same sequence of batches.")]
    [DefaultValueJson("1234")]
    public long? Seed { get; set; }

    [Description("Location of a held-out shard folder for the short-context evaluation (defaults to the first source).")]
    public string? EvalUri { get; set; }

    [Description("When the trainer prepares a source from prepareFrom: its last N documents form the held-out split (evaluation only, never trained on). The short-context evaluation of a LongContext stage needs some.")]
    [DefaultValueJson("0")]
    [Minimum(0)]
    public int? HeldOutDocuments { get; set; }
}

[Description("One data source: a folder of token shards, optionally prepared by the trainer from a JSON Lines file of raw documents.")]
public sealed class DataSourceSpec
{
    [Description("Source name, unique in the job (used by data-mix overrides).")]
    [RequiredField]
    [Pattern("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")]
    public string Name { get; set; } = "";

    [Description("Location of the shard folder: a local path, file:// URI or https:// Azure Blob URL.")]
    [RequiredField]
    public string Uri { get; set; } = "";

    [Description("A JSON Lines file of raw documents ({\"text\": ...} a line): a local path (relative to the manifest's folder), file:// URI or Azure Blob URL. When uri holds no index.json, the trainer tokenizes this file into it with spec.tokenizer before training or evaluating.")]
    public string? PrepareFrom { get; set; }

    [Description("Mixing weight, in (0, 1]; all weights sum to 1.")]
    [RequiredField]
    [Minimum(0)]
    [Maximum(1)]
    public double Weight { get; set; }
}

[Description("A source's weight in a stage's data-mix override.")]
public sealed class DataMixEntry
{
    [Description("Name of a source in spec.data.sources.")]
    [RequiredField]
    public string Name { get; set; } = "";

    [Description("Weight for this stage, in (0, 1]; the stage's weights sum to 1.")]
    [RequiredField]
    [Minimum(0)]
    [Maximum(1)]
    public double Weight { get; set; }
}
