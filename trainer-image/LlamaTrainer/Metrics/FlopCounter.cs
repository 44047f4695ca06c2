using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Metrics;

/// <summary>
/// Model FLOPs of training (forward + backward), the numerator of MFU. Matmul FLOPs are 6 per parameter per token,
/// counting every parameter but the input embedding (a lookup, not a matmul); attention adds 12 * layers * dim * seq
/// per token for QK^T and AV (the PaLM convention: the full score matrix, not halved for the causal mask).
/// </summary>
public static class FlopCounter
{
    public static double TrainingFlopsPerToken(ModelConfig model, int sequenceLength) =>
        6.0 * (model.ParameterCount - model.EmbeddingParameters)
        + 12.0 * model.Layers * model.Heads * model.HeadDim * sequenceLength;
}
