namespace LlamaTrainer.Storage.Progress;

/// <summary>What the trainer is doing at a heartbeat.</summary>
public enum TrainerState
{
    Running,
    Checkpointing,
    Evaluating,
    Finished,
}
