using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Data.Tests.TestDoubles;
using Serilog.Events;

namespace LlamaTrainer.Data.Tests.Sampling;

public sealed class MixedSequenceSamplerTests
{
    private static readonly int[] ShortAndLong = [5, 40, 12, 300, 1, 77];
    private static readonly (int Batch, int Length)[] Shapes = [(2, 16), (1, 64), (3, 7), (2, 512), (4, 33)];
    private readonly InMemoryObjectStore _root = new();
    private readonly CapturingLogger _log = new();

    [Fact]
    public async Task Rows_follow_the_packing_rules_and_carry_whole_documents_across_changing_lengths()
    {
        var documents = await SyntheticSource.WriteAsync(_root, "general", 0, 30, ShortAndLong);
        var sampler = await Open(("general", 1.0));
        var checks = new BatchChecks();

        for (var step = 0; step < 40; step++)
        {
            var (batch, length) = Shapes[step % Shapes.Length];
            checks.Add(sampler.Next(batch, length));
        }

        Assert.NotEmpty(checks.CompletedDocuments);
        Assert.All(checks.CompletedDocuments, d => Assert.Contains(documents, original => original.SequenceEqual(d)));
    }

    [Fact]
    public async Task A_row_holds_several_documents_and_a_long_document_spans_rows()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 10, [3, 100]);
        var sampler = await Open(("general", 1.0));

        var batch = sampler.Next(8, 32);

        Assert.Contains(batch.DocumentIds, id => id >= 2);
        var rowsStartingMidDocument = Enumerable.Range(0, 8).Count(r => batch.Inputs[r * 32] != SyntheticSource.Bos);
        Assert.True(rowsStartingMidDocument >= 2);
        Assert.All(batch.Positions, p => Assert.InRange(p, 0, 31));
    }

    [Fact]
    public async Task Same_seed_gives_the_same_batches_and_another_seed_does_not()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 50, ShortAndLong);
        await SyntheticSource.WriteAsync(_root, "code", 1, 50, [9, 20]);

        var first = await Batches(await Open(1234, ("general", 0.7), ("code", 0.3)), 12);
        var again = await Batches(await Open(1234, ("general", 0.7), ("code", 0.3)), 12);
        var other = await Batches(await Open(99, ("general", 0.7), ("code", 0.3)), 12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Token_shares_follow_the_llama3_mix_weights()
    {
        string[] names = ["general", "math", "code", "multilingual"];
        double[] weights = [0.50, 0.25, 0.17, 0.08];
        for (var s = 0; s < names.Length; s++)
        {
            await SyntheticSource.WriteAsync(_root, names[s], s, 40, [30, 60, 90]);
        }

        var sampler = await Open([.. names.Select((n, s) => (n, weights[s]))]);
        var counts = new long[names.Length];
        for (var step = 0; step < 100; step++)
        {
            foreach (var token in sampler.Next(4, 256).Inputs.Where(t => t >= 1000))
            {
                counts[SyntheticSource.SourceOf(token)]++;
            }
        }

        var total = (double)counts.Sum();
        for (var s = 0; s < names.Length; s++)
        {
            Assert.InRange(counts[s] / total, weights[s] - 0.01, weights[s] + 0.01);
        }
    }

    [Fact]
    public async Task A_stage_mix_override_changes_the_shares_from_then_on()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 40, [20]);
        await SyntheticSource.WriteAsync(_root, "code", 1, 40, [20]);
        var sampler = await Open(("general", 0.5), ("code", 0.5));
        sampler.Next(4, 64);

        sampler.SetWeights(new Dictionary<string, double> { ["code"] = 1.0 });
        sampler.Next(1, 64);
        var after = sampler.Next(8, 64);

        Assert.All(after.Inputs.Where(t => t >= 1000), t => Assert.Equal(1, SyntheticSource.SourceOf(t)));
        var unknown = Assert.Throws<ArgumentException>(() => sampler.SetWeights(new Dictionary<string, double> { ["web"] = 1.0 }));
        Assert.Contains("web", unknown.Message);
        Assert.Throws<ArgumentException>(() => sampler.SetWeights(new Dictionary<string, double> { ["code"] = 0 }));
    }

    [Fact]
    public async Task Restored_cursor_replays_exactly_the_batches_of_an_uninterrupted_run()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 12, ShortAndLong, maxShardBytes: 1024);
        await SyntheticSource.WriteAsync(_root, "math", 1, 7, [50, 3]);
        var uninterrupted = await Open(("general", 0.6), ("math", 0.4));
        var cursors = new List<string>();
        var expected = new List<TokenBatch>();
        for (var step = 0; step < 30; step++)
        {
            cursors.Add(uninterrupted.SaveCursor());
            var (batch, length) = Shapes[step % Shapes.Length];
            expected.Add(uninterrupted.Next(batch, length));
        }

        // Several restore points: mid-document, mid-epoch and after epochs wrapped (the sources are small).
        foreach (var restoreAt in new[] { 0, 3, 11, 29 })
        {
            var resumed = await Open(("general", 0.6), ("math", 0.4));
            resumed.RestoreCursor(cursors[restoreAt]);
            for (var step = restoreAt; step < 30; step++)
            {
                var (batch, length) = Shapes[step % Shapes.Length];
                AssertSameBatch(expected[step], resumed.Next(batch, length));
            }
        }

        Assert.Contains(_log.Messages(LogEventLevel.Information), m => m.Contains("finished epoch 0"));
    }

    [Fact]
    public async Task Skipping_a_micro_batch_consumes_what_drawing_it_would_and_counts_its_targets()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 12, ShortAndLong, maxShardBytes: 1024);
        await SyntheticSource.WriteAsync(_root, "math", 1, 7, [50, 3]);
        var drawing = await Open(("general", 0.6), ("math", 0.4));
        var skipping = await Open(("general", 0.6), ("math", 0.4));

        // A data-parallel rank draws its own micro-batches and skips the others': it must stay on the global cursor.
        for (var step = 0; step < 30; step++)
        {
            var (batch, length) = Shapes[step % Shapes.Length];
            var drawn = drawing.Next(batch, length);
            if (step % 3 == 1)
            {
                AssertSameBatch(drawn, skipping.Next(batch, length));
            }
            else
            {
                Assert.Equal(drawn.Targets.LongCount(t => t != TokenBatch.IgnoreIndex), skipping.Skip(batch, length));
            }

            Assert.Equal(drawing.SaveCursor(), skipping.SaveCursor());
        }
    }

    [Fact]
    public async Task Resume_inside_a_stage_with_its_own_mix_replays_the_same_batches_whichever_order_the_trainer_applies_it()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 20, ShortAndLong);
        await SyntheticSource.WriteAsync(_root, "code", 1, 20, [8, 25]);
        var stageMix = new Dictionary<string, double> { ["general"] = 0.2, ["code"] = 0.8 };
        var uninterrupted = await Open(("general", 0.5), ("code", 0.5));
        uninterrupted.Next(2, 64);
        uninterrupted.SetWeights(stageMix);
        uninterrupted.Next(3, 50);
        var cursor = uninterrupted.SaveCursor();
        var expected = Enumerable.Range(0, 6).Select(_ => uninterrupted.Next(2, 40)).ToList();

        var mixFirst = await Open(("general", 0.5), ("code", 0.5));
        mixFirst.SetWeights(stageMix);
        mixFirst.RestoreCursor(cursor);
        var cursorFirst = await Open(("general", 0.5), ("code", 0.5));
        cursorFirst.RestoreCursor(cursor);
        cursorFirst.SetWeights(stageMix);

        foreach (var batch in expected)
        {
            AssertSameBatch(batch, mixFirst.Next(2, 40));
            AssertSameBatch(batch, cursorFirst.Next(2, 40));
        }
    }

    [Fact]
    public async Task Each_epoch_serves_every_document_once_then_reshuffles()
    {
        var documents = await SyntheticSource.WriteAsync(_root, "general", 0, 25, [4, 9, 13], maxShardBytes: 600);
        var epochTokens = documents.Sum(d => d.Length);
        var sampler = await Open(("general", 1.0));

        var first = sampler.Next(1, epochTokens).Inputs;
        var second = sampler.Next(1, epochTokens).Inputs;

        Assert.Equal(documents.SelectMany(d => d).Order(), first.Order());
        Assert.Equal(documents.SelectMany(d => d).Order(), second.Order());
        Assert.NotEqual(first, second);
        Assert.Contains(_log.Messages(LogEventLevel.Information), m => m.Contains("\"general\" finished epoch 0") && m.Contains("reshuffling"));
    }

    [Fact]
    public async Task Cursor_of_other_data_or_seed_is_refused_with_the_reason()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 10, [5]);
        var sampler = await Open(("general", 1.0));
        sampler.Next(1, 8);
        var cursor = sampler.SaveCursor();

        var otherSeed = await Open(7, ("general", 1.0));
        Assert.Contains("seed", Assert.Throws<InvalidDataException>(() => otherSeed.RestoreCursor(cursor)).Message);

        await SyntheticSource.WriteAsync(_root, "general", 0, 11, [5]);
        var changed = await Open(("general", 1.0));
        Assert.Contains("changed since the cursor was saved", Assert.Throws<InvalidDataException>(() => changed.RestoreCursor(cursor)).Message);
        Assert.Throws<FormatException>(() => changed.RestoreCursor("{not json"));
    }

    [Fact]
    public async Task Sources_of_different_tokenizers_are_not_mixed()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 5, [5]);
        await SyntheticSource.WriteAsync(_root, "code", 1, 5, [5], tokenizer: "other");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Open(("general", 0.5), ("code", 0.5)));

        Assert.Contains("code=other", error.Message);
    }

    [Fact]
    public async Task Missing_or_repeated_sources_are_reported_by_name()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 5, [5]);

        var repeated = await Assert.ThrowsAsync<ArgumentException>(() => Open(("general", 0.5), ("general", 0.5)));
        // A source without prepared data is an input error (the trainer's fatal exit code): a retry finds no more data.
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => Open(("general", 0.5), ("math", 0.5)));

        Assert.Contains("'general' is listed more than once", repeated.Message);
        Assert.Contains("no prepared data (index.json not found)", missing.Message);
        Assert.Contains("math", missing.Message);
    }

    [Fact]
    public async Task Corrupted_shard_is_reported_when_it_is_read()
    {
        await SyntheticSource.WriteAsync(_root, "general", 0, 5, [5]);
        var key = _root.Under("general").Keys.First(k => k.StartsWith("train-", StringComparison.Ordinal));
        var bytes = _root.Under("general").Get(key);
        bytes[50] ^= 1;
        var sampler = await Open(("general", 1.0));

        var error = Assert.Throws<InvalidDataException>(() => sampler.Next(1, 8));

        Assert.Contains(key, error.Message);
        Assert.Contains("checksum", error.Message);
    }

    private static void AssertSameBatch(TokenBatch expected, TokenBatch actual)
    {
        Assert.Equal(expected.Inputs, actual.Inputs);
        Assert.Equal(expected.Targets, actual.Targets);
        Assert.Equal(expected.Positions, actual.Positions);
        Assert.Equal(expected.DocumentIds, actual.DocumentIds);
    }

    private static Task<List<int[]>> Batches(MixedSequenceSampler sampler, int count) =>
        Task.FromResult(Enumerable.Range(0, count).Select(i => sampler.Next(2, 24 + i).Inputs).ToList());

    private Task<MixedSequenceSampler> Open(params (string Name, double Weight)[] sources) => Open(1234, sources);

    private Task<MixedSequenceSampler> Open(long seed, params (string Name, double Weight)[] sources) =>
        MixedSequenceSampler.OpenAsync([.. sources.Select(s => new SamplerSource(s.Name, _root.Under(s.Name), s.Weight))], seed, _log.Logger);
}
