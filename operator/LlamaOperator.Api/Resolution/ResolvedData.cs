namespace LlamaOperator.Api.Resolution;

/// <summary>The job's data: sources with their default weights, the sampler seed and the evaluation shards.</summary>
public sealed record ResolvedData(IReadOnlyList<ResolvedDataSource> Sources, long Seed, string EvalUri);

/// <summary>A source with the weight it has in a given mix (the job default or a stage's override).</summary>
public sealed record ResolvedDataSource(string Name, string Uri, double Weight);
