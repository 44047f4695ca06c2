namespace LlamaOperator.DevCluster.Json;

/// <summary>A JSON patch that cannot be applied (bad operation, missing path, failed test).</summary>
public sealed class JsonPatchException(string message) : Exception(message);
