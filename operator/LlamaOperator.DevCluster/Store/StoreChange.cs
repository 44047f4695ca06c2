namespace LlamaOperator.DevCluster.Store;

/// <summary>A committed change, as the in-process controllers (scheduler, kubelet, GC) receive it.</summary>
public sealed record StoreChange(WatchEventType Type, StoredObject Object, StoredObject? Previous);
