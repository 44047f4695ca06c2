using LlamaTrainer.Data.Shards;
using Serilog;

namespace LlamaTrainer.Data.Sampling;

/// <summary>
/// The training batch source: mixes the sources by token share and packs their documents into rows
/// (see <see cref="SequencePacker"/>). Mixing is deterministic: each new document comes from the source furthest
/// below its share of the tokens served since the weights were set, so the shares stay within one document of the
/// weights. Documents within a source come in a seeded shuffled order (see <see cref="SourceStream"/>).
/// The cursor captures every position, so restoring it replays exactly the batches that followed it, for any
/// sequence lengths. Held-out documents are never here: prepare-data puts them in a separate split (<see cref="HeldOutSet"/>).
/// </summary>
public sealed class MixedSequenceSampler : IBatchSource
{
    private readonly List<SourceStream> _sources;
    private readonly long _seed;
    private readonly ILogger _logger;
    private readonly SequencePacker _packer;
    private double[] _weights;
    private long[] _mixedTokens;
    private int _inFlightSource = -1;
    private int _inFlightDocument = -1;

    private MixedSequenceSampler(List<SourceStream> sources, double[] weights, long seed, ILogger logger)
    {
        _sources = sources;
        _seed = seed;
        _logger = logger;
        _weights = weights;
        _mixedTokens = new long[sources.Count];
        _packer = new SequencePacker(sources[0].Index.EosId);
    }

    public string TokenizerName => _sources[0].Index.Tokenizer;

    public int VocabSize => _sources[0].Index.VocabSize;

    public int BosId => _sources[0].Index.BosId;

    public int EosId => _sources[0].Index.EosId;

    /// <summary>Tokens served per source since the weights were last set.</summary>
    public IReadOnlyDictionary<string, long> TokensSinceWeightsSet =>
        _sources.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => _mixedTokens[x.i], StringComparer.Ordinal);

    /// <summary>Reads every source's index.json and checks that all were prepared with the same tokenizer.</summary>
    public static async Task<MixedSequenceSampler> OpenAsync(IReadOnlyList<SamplerSource> sources, long seed, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (sources.Count == 0)
        {
            throw new ArgumentException("at least one data source is needed", nameof(sources));
        }

        if (sources.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"data source '{duplicate.Key}' is listed more than once", nameof(sources));
        }

        var indexes = await Task.WhenAll(sources.Select(s => ShardIndex.LoadAsync(s.Store, cancellationToken))).ConfigureAwait(false);
        var distinct = indexes.Select(i => (i.Tokenizer, i.VocabSize)).Distinct().ToList();
        if (distinct.Count > 1)
        {
            throw new InvalidDataException("data sources were prepared with different tokenizers: "
                + string.Join(", ", sources.Select((s, i) => $"{s.Name}={indexes[i].Tokenizer} ({indexes[i].VocabSize} ids)")));
        }

        var streams = sources.Select((s, i) => new SourceStream(s.Name, s.Store, indexes[i], seed, logger)).ToList();
        var weights = CheckWeights(sources.ToDictionary(s => s.Name, s => s.Weight, StringComparer.Ordinal), streams);
        var sampler = new MixedSequenceSampler(streams, weights, seed, logger);
        logger.Information("Data sampler over {Sources} source(s), tokenizer {Tokenizer}, seed {Seed}, weights {Weights}",
            streams.Count, sampler.TokenizerName, seed, sampler.WeightsByName());
        return sampler;
    }

    /// <summary>
    /// A stage's data-mix override: sources it does not name get weight 0. When the weights change, the token shares
    /// start counting afresh; setting the weights already in force changes nothing (so a trainer may apply its stage's
    /// mix before or after <see cref="RestoreCursor"/>).
    /// </summary>
    public void SetWeights(IReadOnlyDictionary<string, double> weights)
    {
        var unknown = weights.Keys.Where(k => _sources.TrueForAll(s => s.Name != k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"data mix names unknown source(s) {string.Join(", ", unknown)}; known: {string.Join(", ", _sources.Select(s => s.Name))}", nameof(weights));
        }

        var normalized = CheckWeights(weights, _sources);
        if (SameWeights(normalized))
        {
            return;
        }

        _weights = normalized;
        _mixedTokens = new long[_sources.Count];
        _logger.Information("Data mix set to {Weights}", WeightsByName());
    }

    public TokenBatch Next(int batchSize, int sequenceLength) =>
        _packer.Pack(batchSize, sequenceLength, TakeDocument, placed => _mixedTokens[_inFlightSource] += placed);

    public long Skip(int batchSize, int sequenceLength) =>
        _packer.Skip(batchSize, sequenceLength, TakeDocument, placed => _mixedTokens[_inFlightSource] += placed);

    public string SaveCursor() => new SamplerCursor(
        SamplerCursor.CurrentVersion,
        _seed,
        WeightsByName(),
        [.. _sources.Select((s, i) => new SamplerCursor.SourceState(s.Name, s.Position.Epoch, s.Position.Shard, s.Position.Document, _mixedTokens[i], s.Fingerprint))],
        _packer.HasDocument ? new SamplerCursor.InFlightDocument(_sources[_inFlightSource].Name, _inFlightDocument, _packer.Offset) : null).ToJson();

    /// <summary>
    /// Restores a saved state: every source's position, the half-used document, and the weights in force with their
    /// token shares. Sources missing from the cursor start from the beginning with weight 0.
    /// </summary>
    public void RestoreCursor(string cursorJson)
    {
        var cursor = SamplerCursor.Parse(cursorJson);
        if (cursor.Seed != _seed)
        {
            throw new InvalidDataException($"data cursor was saved with seed {cursor.Seed}; this sampler has seed {_seed}");
        }

        var mixed = new long[_sources.Count];
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            var state = cursor.Sources.FirstOrDefault(s => s.Name == source.Name);
            if (state is null)
            {
                _logger.Warning("Data cursor has no position for source {Source}; it starts from its beginning", source.Name);
                source.MoveTo(new SourcePosition(0, 0, 0));
                continue;
            }

            if (state.Fingerprint != source.Fingerprint)
            {
                throw new InvalidDataException($"data source '{source.Name}' changed since the cursor was saved ({state.Fingerprint}, now {source.Fingerprint}); prepare-data was run again?");
            }

            source.MoveTo(new SourcePosition(state.Epoch, state.Shard, state.Document));
            mixed[i] = state.MixedTokens;
        }

        _weights = CheckWeights(cursor.Weights, _sources);
        _mixedTokens = mixed;
        _packer.Clear();
        _inFlightSource = -1;
        if (cursor.InFlight is { } inFlight)
        {
            _inFlightSource = _sources.FindIndex(s => s.Name == inFlight.Source);
            if (_inFlightSource < 0)
            {
                throw new InvalidDataException($"data cursor continues a document of source '{inFlight.Source}', which this sampler does not have");
            }

            _inFlightDocument = inFlight.Document;
            _packer.Resume(_sources[_inFlightSource].DocumentAt(inFlight.Document), inFlight.Offset);
        }

        _logger.Information("Data sampler restored: weights {Weights}, positions {Positions}", WeightsByName(),
            _sources.ToDictionary(s => s.Name, s => $"epoch {s.Position.Epoch} shard {s.Position.Shard} document {s.Position.Document}"));
    }

    private ReadOnlyMemory<int>? TakeDocument()
    {
        // The source furthest below its share: largest weight * total - served.
        var total = _mixedTokens.Sum();
        var best = -1;
        var bestDeficit = double.NegativeInfinity;
        for (var i = 0; i < _sources.Count; i++)
        {
            if (_weights[i] <= 0)
            {
                continue;
            }

            var deficit = (_weights[i] * total) - _mixedTokens[i];
            if (deficit > bestDeficit)
            {
                best = i;
                bestDeficit = deficit;
            }
        }

        _inFlightSource = best;
        return _sources[best].Take(out _inFlightDocument);
    }

    private Dictionary<string, double> WeightsByName() =>
        _sources.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => _weights[x.i], StringComparer.Ordinal);

    private bool SameWeights(double[] normalized) =>
        normalized.Zip(_weights).All(w => Math.Abs(w.First - w.Second) < 1e-12);

    private static double[] CheckWeights(IReadOnlyDictionary<string, double> weights, List<SourceStream> sources)
    {
        var values = sources.Select(s => weights.GetValueOrDefault(s.Name)).ToArray();
        var bad = sources.Where((s, i) => !double.IsFinite(values[i]) || values[i] < 0).Select(s => s.Name).ToList();
        if (bad.Count > 0)
        {
            throw new ArgumentException($"data weight of {string.Join(", ", bad)} must be a finite number >= 0", nameof(weights));
        }

        var sum = values.Sum();
        if (sum <= 0)
        {
            throw new ArgumentException("at least one data source needs a weight above 0", nameof(weights));
        }

        return [.. values.Select(v => v / sum)];
    }
}
