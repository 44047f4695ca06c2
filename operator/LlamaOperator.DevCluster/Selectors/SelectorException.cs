namespace LlamaOperator.DevCluster.Selectors;

/// <summary>A label or field selector that does not parse; the message says which part and why.</summary>
public sealed class SelectorException(string message) : Exception(message);
