namespace LlamaOperator.DevCluster.Store;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}
