namespace LlamaOperator.Runtime.Informers;

public sealed record ListResult<T>(IReadOnlyList<T> Items, string ResourceVersion);
