namespace LlamaOperator.DevCluster.Store;

/// <summary>An event as one watcher sees it (type adjusted to its selectors), with the shared line to write.</summary>
public sealed record WatchDelivery(WatchEventType Type, StoredObject Object, byte[] Line);
