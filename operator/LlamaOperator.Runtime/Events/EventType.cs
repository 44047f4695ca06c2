namespace LlamaOperator.Runtime.Events;

/// <summary>core/v1 Event types.</summary>
public enum EventType
{
    Normal,
    Warning,
}
