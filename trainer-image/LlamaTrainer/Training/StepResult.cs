namespace LlamaTrainer.Training;

/// <summary>What one optimizer step did: the state after it, its mean loss over the batch's targets, and its cost.</summary>
public sealed record StepResult(TrainingState State, double Loss, double LearningRate, double GradNorm, long BatchTokens, int SequenceLength, TimeSpan Elapsed);
