using System.Text.Json;

namespace LlamaTrainer.Data.Sampling;

/// <summary>The JSON form of a <see cref="MixedSequenceSampler"/>'s read position.</summary>
public sealed record SamplerCursor(
    int Version,
    long Seed,
    IReadOnlyDictionary<string, double> Weights,
    IReadOnlyList<SamplerCursor.SourceState> Sources,
    SamplerCursor.InFlightDocument? InFlight)
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SamplerCursor Parse(string json)
    {
        SamplerCursor? cursor;
        try
        {
            cursor = JsonSerializer.Deserialize<SamplerCursor>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"data cursor is not valid JSON: {e.Message}", e);
        }

        if (cursor is null || cursor.Sources is null || cursor.Weights is null)
        {
            throw new FormatException("data cursor lacks sources or weights");
        }

        if (cursor.Version != CurrentVersion)
        {
            throw new FormatException($"data cursor version {cursor.Version}; this sampler reads version {CurrentVersion}");
        }

        return cursor;
    }

    /// <param name="MixedTokens">Tokens taken from the source since the current weights were set (drives the mix).</param>
    /// <param name="Fingerprint">Shard count and totals of the prepared data the position refers to.</param>
    public sealed record SourceState(string Name, int Epoch, int Shard, int Document, long MixedTokens, string Fingerprint);

    /// <summary>A document cut by a batch end: its position in the source's current shard and the tokens already used.</summary>
    public sealed record InFlightDocument(string Source, int Document, int Offset);
}
