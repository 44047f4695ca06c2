namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>Needle-in-a-haystack retrieval at one context length: accuracy (0..1) over a number of trials.</summary>
public sealed record NeedleResult(int Length, double Accuracy, int Trials);
