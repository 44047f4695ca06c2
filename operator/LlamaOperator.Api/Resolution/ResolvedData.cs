namespace LlamaOperator.Api.Resolution;

/// <summary>The job's data: sources with their default weights, the sampler seed, the evaluation shards and the held-out count of sources the trainer prepares.</summary>
public sealed record ResolvedData(IReadOnlyList<ResolvedDataSource> Sources, long Seed, string EvalUri, int HeldOutDocuments);

/// <summary>A source with the weight it has in a given mix (the job default or a stage's override); PrepareFrom is its raw JSON Lines file, if any.</summary>
public sealed record ResolvedDataSource(string Name, string Uri, double Weight, string? PrepareFrom = null);
