using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Tests.Model;

/// <summary>Model shapes small enough for a unit test on two CPU cores.</summary>
internal static class TinyConfigs
{
    public static ModelConfig Gqa(int vocab = 64) =>
        new(Layers: 2, Dim: 32, FfnDim: 64, Heads: 4, KvHeads: 2, VocabSize: vocab, RopeTheta: 500_000, NormEps: 1e-5, PeakLr: 3e-3);
}
