namespace LlamaOperator.Runtime.Queue;

/// <summary>What <see cref="WorkQueue{TKey}.GetAsync"/> hands out: a key, or the signal that the queue shut down.</summary>
public readonly record struct WorkItem<TKey>(TKey Key, bool IsShutDown)
{
    internal static WorkItem<TKey> ShutDown => new(default!, true);
}
