namespace LlamaOperator.Core.Lifecycle;

/// <summary>A Kubernetes Event to record on the job: Normal or Warning, CamelCase reason, human message.</summary>
public sealed record JobEvent(bool Warning, string Reason, string Message);
