
namespace LlamaOperator.Api.V1Alpha1;

/// <summary>A fully resolved model architecture: a preset with the job's overrides applied.</summary>
public sealed record ModelConfig(
    int Layers,
    int Dim,
    int FfnDim,
    int Heads,
    int KvHeads,
    int VocabSize,
    double RopeTheta,
    double NormEps,
    double PeakLr)
{
    public int HeadDim => Dim / Heads;

    /// <summary>Parameters per Transformer layer: Q, K, V, O projections, SwiGLU (3 matrices) and two RMSNorm weights.</summary>
    public long ParametersPerLayer =>
        (long)Dim * Dim * 2 + 2L * Dim * KvHeads * HeadDim + 3L * Dim * FfnDim + 2L * Dim;

    /// <summary>Input embedding (untied from the output head).</summary>
    public long EmbeddingParameters => (long)VocabSize * Dim;

    /// <summary>Output head plus the final RMSNorm.</summary>
    public long OutputParameters => (long)VocabSize * Dim + Dim;

    /// <summary>All parameters, counted analytically (no allocation).</summary>
    public long ParameterCount => EmbeddingParameters + Layers * ParametersPerLayer + OutputParameters;
}

/// <summary>The model presets: Llama 3 paper Table 3, plus a tiny model for CPU runs.</summary>
public static class ModelPresets
{
    /// <summary>cl100k_base: 100,256 BPE ranks plus its special tokens up to id 100,276.</summary>
    public const int Cl100kVocabSize = 100_277;

    /// <summary>Llama 3 tokenizer: 128,000 BPE ranks + 256 special tokens.</summary>
    public const int Llama3VocabSize = 128_256;

    /// <summary>Byte tokenizer: 256 UTF-8 byte values + the 256 Llama 3 special tokens.</summary>
    public const int BytesVocabSize = 512;

    public const double Llama3RopeTheta = 500_000;

    /// <summary>
    /// Presets that leave the vocabulary to the tokenizer (their entry in <see cref="All"/> shows the default tokenizer's):
    /// a tiny model's cost is mostly its output head, so it should be no wider than the tokenizer needs.
    /// </summary>
    public static readonly IReadOnlySet<string> VocabularyFromTokenizer = new HashSet<string>(StringComparer.Ordinal) { "tiny" };

    public static readonly IReadOnlyDictionary<string, ModelConfig> All = new Dictionary<string, ModelConfig>(StringComparer.Ordinal)
    {
        ["tiny"] = new(Layers: 4, Dim: 128, FfnDim: 384, Heads: 4, KvHeads: 2, VocabSize: Cl100kVocabSize, RopeTheta: Llama3RopeTheta, NormEps: 1e-5, PeakLr: 3e-3),
        ["llama3-8b"] = new(Layers: 32, Dim: 4096, FfnDim: 14336, Heads: 32, KvHeads: 8, VocabSize: Llama3VocabSize, RopeTheta: Llama3RopeTheta, NormEps: 1e-5, PeakLr: 3e-4),
        ["llama3-70b"] = new(Layers: 80, Dim: 8192, FfnDim: 28672, Heads: 64, KvHeads: 8, VocabSize: Llama3VocabSize, RopeTheta: Llama3RopeTheta, NormEps: 1e-5, PeakLr: 1.5e-4),
        ["llama3-405b"] = new(Layers: 126, Dim: 16384, FfnDim: 53248, Heads: 128, KvHeads: 8, VocabSize: Llama3VocabSize, RopeTheta: Llama3RopeTheta, NormEps: 1e-5, PeakLr: 8e-5),
    };

    public static IReadOnlyCollection<string> Names => (IReadOnlyCollection<string>)All.Keys;

    /// <summary>The preset with the spec's overrides applied, or null when the preset is unknown.</summary>
    /// <param name="tokenizerVocabSize">the vocabulary of the job's tokenizer, for presets in <see cref="VocabularyFromTokenizer"/></param>
    public static ModelConfig? Resolve(ModelSpec spec, int tokenizerVocabSize)
    {
        if (!All.TryGetValue(spec.Preset, out var preset))
        {
            return null;
        }

        return preset with
        {
            Layers = spec.Layers ?? preset.Layers,
            Dim = spec.Dim ?? preset.Dim,
            FfnDim = spec.FfnDim ?? preset.FfnDim,
            Heads = spec.Heads ?? preset.Heads,
            KvHeads = spec.KvHeads ?? preset.KvHeads,
            VocabSize = spec.VocabSize ?? (VocabularyFromTokenizer.Contains(spec.Preset) ? tokenizerVocabSize : preset.VocabSize),
            RopeTheta = spec.RopeTheta ?? preset.RopeTheta,
            NormEps = spec.NormEps ?? preset.NormEps,
        };
    }
}
