using System.ComponentModel;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("Model architecture: a named preset (Llama 3 paper, Table 3) and explicit overrides of any of its values.")]
public sealed class ModelSpec
{
    [Description("Preset: tiny (CPU demo), llama3-8b, llama3-70b or llama3-405b.")]
    [DefaultValueJson("\"llama3-8b\"")]
    public string Preset { get; set; } = "llama3-8b";

    [Description("Number of Transformer layers.")]
    [Minimum(1)]
    public int? Layers { get; set; }

    [Description("Model (hidden) dimension.")]
    [Minimum(1)]
    public int? Dim { get; set; }

    [Description("SwiGLU feed-forward inner dimension.")]
    [Minimum(1)]
    public int? FfnDim { get; set; }

    [Description("Attention (query) heads.")]
    [Minimum(1)]
    public int? Heads { get; set; }

    [Description("Key/value heads (grouped-query attention); must divide heads.")]
    [Minimum(1)]
    public int? KvHeads { get; set; }

    [Description("Vocabulary size; defaults to the preset's, or to the tokenizer's when the preset leaves it open (tiny). At least the tokenizer's.")]
    [Minimum(1)]
    public int? VocabSize { get; set; }

    [Description("RoPE base frequency (theta); Llama 3 uses 500000.")]
    [Minimum(1)]
    public double? RopeTheta { get; set; }

    [Description("RMSNorm epsilon.")]
    [Minimum(0)]
    public double? NormEps { get; set; }
}

[Description("Tokenizer: UTF-8 bytes or cl100k_base (both ship with the trainer), or a Llama 3 tokenizer.model the user brings.")]
public sealed class TokenizerSpec
{
    [Description("Tokenizer kind: Cl100kBase (100,277 ids), Llama3 (128,256 ids) or Bytes (the 256 UTF-8 byte values, then the 256 Llama 3 special tokens: 512 ids; for tiny CPU runs).")]
    [DefaultValueJson("\"Cl100kBase\"")]
    public TokenizerKind Kind { get; set; } = TokenizerKind.Cl100kBase;

    [Description("Location of a Llama 3 tokenizer.model (base64 BPE ranks); required when kind is Llama3.")]
    public string? Uri { get; set; }
}

public enum TokenizerKind
{
    Cl100kBase,
    Llama3,
    Bytes,
}
