namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>Training metrics at the step of a checkpoint.</summary>
public sealed record TrainingMetrics(double Loss, double LearningRate, double TokensPerSecond, double? Mfu = null);
