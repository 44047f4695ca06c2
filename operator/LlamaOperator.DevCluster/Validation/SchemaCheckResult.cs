namespace LlamaOperator.DevCluster.Validation;

/// <summary>What checking an object against a structural schema found: errors, and the unknown fields it pruned.</summary>
public sealed record SchemaCheckResult(IReadOnlyList<FieldError> Errors, IReadOnlyList<string> UnknownFields);
