using k8s;

namespace LlamaOperator.Runtime.Informers;

/// <summary>One watch event; for a bookmark only <c>Object.Metadata.ResourceVersion</c> is meaningful.</summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T Object);
