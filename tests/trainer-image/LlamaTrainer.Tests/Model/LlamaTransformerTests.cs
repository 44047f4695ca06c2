using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class LlamaTransformerTests
{
    private static Tensor Forward(LlamaTransformer model, Tensor inputs, Tensor positions, Tensor documentIds)
    {
        using var documents = DocumentSegments.Of(documentIds);
        return model.forward(inputs, positions, documents);
    }

    private static (Tensor Inputs, Tensor Positions, Tensor Docs) OneDocument(int batch, int seq, int vocab, int seed = 1)
    {
        var generator = new Random(seed);
        var ids = Enumerable.Range(0, batch * seq).Select(_ => (long)generator.Next(vocab)).ToArray();
        var inputs = tensor(ids).view(batch, seq);
        var positions = arange(seq, dtype: ScalarType.Int64).unsqueeze(0).expand(batch, seq).contiguous();
        var docs = zeros(batch, seq, dtype: ScalarType.Int64);
        return (inputs, positions, docs);
    }

    [Fact]
    public void Logits_have_shape_batch_by_sequence_by_vocabulary()
    {
        manual_seed(1);
        using var model = new LlamaTransformer(TinyConfigs.Gqa(vocab: 50));
        var (inputs, positions, docs) = OneDocument(batch: 3, seq: 7, vocab: 50);

        using var logits = Forward(model, inputs, positions, docs);

        Assert.Equal([3L, 7, 50], logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
    }

    [Fact]
    public void A_token_does_not_see_later_tokens()
    {
        manual_seed(2);
        using var model = new LlamaTransformer(TinyConfigs.Gqa());
        var (inputs, positions, docs) = OneDocument(batch: 1, seq: 10, vocab: 64);
        using var changed = inputs.clone();
        changed[0, 6] = tensor(inputs[0, 6].item<long>() == 5 ? 6L : 5L);

        using var before = Forward(model, inputs, positions, docs);
        using var after = Forward(model, changed, positions, docs);

        Assert.True(before[.., ..6].allclose(after[.., ..6], rtol: 0, atol: 1e-6), "positions before the change must not move");
        Assert.False(before[.., 6].allclose(after[.., 6], rtol: 0, atol: 1e-6), "the changed position itself must move");
    }

    [Fact]
    public void A_token_does_not_see_an_earlier_document_of_the_same_row()
    {
        manual_seed(3);
        using var model = new LlamaTransformer(TinyConfigs.Gqa());
        // Row: document 0 = tokens 0..3, document 1 = tokens 4..8, positions restart at the document start.
        var (inputs, _, _) = OneDocument(batch: 1, seq: 9, vocab: 64);
        using var docs = tensor(new long[] { 0, 0, 0, 0, 1, 1, 1, 1, 1 }).view(1, 9);
        using var positions = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 4 }).view(1, 9);
        using var otherFirstDocument = inputs.clone();
        otherFirstDocument[0, ..4] = tensor(new long[] { 9, 8, 7, 6 });

        using var packed = Forward(model, inputs, positions, docs);
        using var changed = Forward(model, otherFirstDocument, positions, docs);
        using var alone = Forward(model, inputs[.., 4..], positions[.., 4..], docs[.., 4..]);

        Assert.True(packed[.., 4..].allclose(changed[.., 4..], rtol: 0, atol: 1e-6), "the second document must not depend on the first");
        Assert.True(packed[.., 4..].allclose(alone, rtol: 1e-5, atol: 1e-5), "a packed document must equal the document run alone");
    }

    [Fact]
    public void Without_the_document_mask_the_second_document_would_change()
    {
        // Guards the test above: the same change is visible when both parts are one document.
        manual_seed(3);
        using var model = new LlamaTransformer(TinyConfigs.Gqa());
        var (inputs, positions, docs) = OneDocument(batch: 1, seq: 9, vocab: 64);
        using var changed = inputs.clone();
        changed[0, ..4] = tensor(new long[] { 9, 8, 7, 6 });

        using var a = Forward(model, inputs, positions, docs);
        using var b = Forward(model, changed, positions, docs);

        Assert.False(a[.., 4..].allclose(b[.., 4..], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void An_explicit_seed_gives_the_weights_of_that_seed_in_the_global_generator_and_reads_no_global_state()
    {
        var config = TinyConfigs.Gqa();
        manual_seed(11);
        using var global = new LlamaTransformer(config);
        manual_seed(99);
        using var seeded = new LlamaTransformer(config, seed: 11);
        using var other = new LlamaTransformer(config, seed: 12);

        var expected = global.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(seeded.named_parameters(), p => Assert.True(p.parameter.eq(expected[p.name]).all().item<bool>(), $"{p.name} differs"));
        Assert.Contains(other.named_parameters(), p => !p.parameter.eq(expected[p.name]).all().item<bool>());
    }
}
