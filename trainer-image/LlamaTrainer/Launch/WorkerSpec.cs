namespace LlamaTrainer.Launch;

/// <summary>One worker process the launcher starts: this program again, with its rank in the environment.</summary>
public sealed record WorkerSpec(int LocalRank, int Rank, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);
