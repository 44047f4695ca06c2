namespace LlamaOperator.Runtime.Informers;

/// <summary>The query parameters of one list or watch call, handed to the typed client call that serves it.</summary>
public sealed record ListRequest
{
    /// <summary>Null for all namespaces.</summary>
    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    public string? ResourceVersion { get; init; }

    public string? Continue { get; init; }

    public int? Limit { get; init; }

    public bool Watch { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    public int? TimeoutSeconds { get; init; }
}
