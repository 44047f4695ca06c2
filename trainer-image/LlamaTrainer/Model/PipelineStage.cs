using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Model;

/// <summary>
/// The layers one pipeline stage holds (<see cref="LlamaOperator.Api.Layout.VirtualPipelineSplit"/>): layers [FirstLayer, FirstLayer + Layers);
/// the first stage also embeds the tokens, the last applies the final norm and the output head. Stages are virtual
/// under the interleaved schedule: <see cref="PipelineRank"/> says which a rank holds.
/// </summary>
public sealed record PipelineStage(int Index, int Count, int FirstLayer, int Layers)
{
    public bool IsFirst => Index == 0;

    public bool IsLast => Index == Count - 1;

    /// <summary>The whole model as one stage.</summary>
    public static PipelineStage Whole(ModelConfig model) => new(0, 1, 0, model.Layers);
}
