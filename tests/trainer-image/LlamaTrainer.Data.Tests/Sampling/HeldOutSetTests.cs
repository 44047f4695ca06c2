using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Data.Tests.TestDoubles;

namespace LlamaTrainer.Data.Tests.Sampling;

public sealed class HeldOutSetTests
{
    [Fact]
    public async Task Held_out_documents_are_packed_once_in_order_with_padding_ignored()
    {
        var root = new InMemoryObjectStore();
        var documents = await SyntheticSource.WriteAsync(root, "general", 0, 10, [7, 30], heldOut: 3);
        var heldOut = documents[^3..];
        var set = await HeldOutSet.LoadAsync(root.Under("general"));

        var batches = set.Batches(2, 16).ToList();

        Assert.Equal(3, set.DocumentCount);
        var expectedTokens = heldOut.SelectMany(d => d).ToList();
        Assert.Equal(expectedTokens, batches.SelectMany(b => b.Inputs).Take(expectedTokens.Count));
        var padding = batches.SelectMany(b => b.Targets).Skip(expectedTokens.Count).ToList();
        Assert.NotEmpty(padding);
        Assert.All(padding, t => Assert.Equal(TokenBatch.IgnoreIndex, t));
        Assert.All(batches.SelectMany(b => b.Inputs).Skip(expectedTokens.Count), t => Assert.Equal(SyntheticSource.Eos, t));
        // Only the EOS of each document has no target; a row break inside a document keeps its target.
        Assert.Equal(expectedTokens.Count - 3, batches.SelectMany(b => b.Targets).Count(t => t != TokenBatch.IgnoreIndex));
    }

    [Fact]
    public async Task Training_never_sees_held_out_documents()
    {
        var root = new InMemoryObjectStore();
        await SyntheticSource.WriteAsync(root, "general", 0, 6, [5], heldOut: 2);
        var sampler = await MixedSequenceSampler.OpenAsync([new SamplerSource("general", root.Under("general"), 1)], 1, new CapturingLogger().Logger);

        var seen = Enumerable.Range(0, 10).SelectMany(_ => sampler.Next(2, 32).Inputs).Where(t => t >= 1000).Select(SyntheticSource.DocumentOf).ToHashSet();

        Assert.Equal(Enumerable.Range(0, 6), seen.Order());
    }
}
