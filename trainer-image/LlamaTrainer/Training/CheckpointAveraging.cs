using System.Globalization;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using LlamaTrainer.Storage.Checkpoints;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// Polyak averaging: the element-wise mean of the model weights of a stage's last K committed checkpoints, committed
/// as the final model (weights only: the average is an end product, not a point to resume from).
/// </summary>
public static class CheckpointAveraging
{
    public static async Task<CheckpointManifest> AverageAsync(CheckpointStore checkpoints, CheckpointStore final, string stage, int count, ModelConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var chosen = (await checkpoints.ListCommittedAsync(cancellationToken)).Where(m => m.Stage == stage).Take(count).ToList();
        if (chosen.Count == 0)
        {
            throw new InvalidOperationException($"no committed checkpoint of stage '{stage}' at {checkpoints.Location} to average");
        }

        using var model = new LlamaTransformer(config);
        var sums = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var manifest in chosen)
            {
                var loaded = await checkpoints.OpenAsync(manifest.Id, cancellationToken);
                await ModelWeights.LoadAsync(model, loaded, cancellationToken);
                using var noGrad = no_grad();
                // The scope keeps every intermediate tensor referenced until its native call has returned: a
                // temporary only the stack refers to may be finalized (and freed) by the GC in the middle of one.
                using var scope = NewDisposeScope();
                foreach (var (name, parameter) in model.named_parameters())
                {
                    // Sum in fp64 so that averaging many bf16/fp32 checkpoints adds no rounding of its own.
                    var value = parameter.detach().to_type(ScalarType.Float64);
                    if (sums.TryGetValue(name, out var sum))
                    {
                        sum.add_(value);
                    }
                    else
                    {
                        sums[name] = value.MoveToOuterDisposeScope();
                    }
                }
            }

            using (var noGrad = no_grad())
            using (var scope = NewDisposeScope())
            {
                foreach (var (name, parameter) in model.named_parameters())
                {
                    parameter.copy_(sums[name] / chosen.Count);
                }
            }
        }
        finally
        {
            foreach (var sum in sums.Values)
            {
                sum.Dispose();
            }
        }

        var newest = chosen[0];
        var draft = newest with
        {
            StageEnd = true,
            CreatedAt = default,
            Extra = new Dictionary<string, string>(newest.Extra, StringComparer.Ordinal)
            {
                ["averagedFrom"] = string.Join(",", chosen.Select(m => m.Id)),
                ["averagedCount"] = chosen.Count.ToString(CultureInfo.InvariantCulture),
            },
        };
        return await ModelWeights.CommitAsync(final, model, draft, cancellationToken);
    }
}
