namespace LlamaOperator.Api.Layout;

/// <summary>How many Transformer layers each pipeline stage holds.</summary>
public static class PipelineLayerSplit
{
    /// <summary>
    /// Balanced split. The first stage also carries the embedding and the last the output head and loss, so each
    /// counts as one layer's worth of work (Llama 3: 126 layers on PP=16 is 7 + 14*8 + 7). When that would leave
    /// an end stage without a layer, the layers are spread evenly instead. Extra layers go to middle stages first.
    /// </summary>
    public static int[] LayersPerStage(int layers, int pp, string field = "parallelism.pp")
    {
        if (pp < 1)
        {
            throw new PlanException(field, $"expected an integer >= 1, got {pp}");
        }

        if (layers < pp)
        {
            throw new PlanException(field, $"pp={pp} exceeds the model's {layers} layers: every pipeline stage needs at least one layer");
        }

        if (pp == 1)
        {
            return [layers];
        }

        var units = layers + 2;
        if (units / pp >= 2)
        {
            var split = Spread(units, pp);
            split[0]--;
            split[pp - 1]--;
            return split;
        }

        return Spread(layers, pp);
    }

    /// <summary>Even shares; the remainder (at most pp-1) goes one each to stages 1, 2, ... (middle first), then the last.</summary>
    private static int[] Spread(int total, int pp)
    {
        var split = new int[pp];
        Array.Fill(split, total / pp);
        var remainder = total % pp;
        for (var i = 0; remainder > 0; i++, remainder--)
        {
            split[i < pp - 2 ? i + 1 : pp - 1]++;
        }

        return split;
    }
}
