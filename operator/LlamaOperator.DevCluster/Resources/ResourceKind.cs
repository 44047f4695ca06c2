using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>
/// One served resource (group/version/plural) and the rules the store applies to it. Several versions
/// of one CRD share a <see cref="StorageId"/> and so the same stored objects.
/// </summary>
public sealed record ResourceKind
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Plural { get; init; }
    public required string Kind { get; init; }
    public required bool Namespaced { get; init; }
    public string Singular { get; init; } = "";
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources served besides the main one: "status", "log", "binding".</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>Field paths usable in fieldSelector besides metadata.name and metadata.namespace.</summary>
    public IReadOnlyList<string> SelectableFields { get; init; } = [];

    /// <summary>metadata.generation is set and bumped on spec changes (custom resources, CRDs).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Custom resources keep no status given on create (it belongs to the status subresource).</summary>
    public bool ResetsStatusOnCreate { get; init; }
    public StructuralSchema? Schema { get; init; }

    /// <summary>Defaults a built-in kind fills on create (pod phase Pending, namespace phase Active, ...).</summary>
    public Action<JsonObject>? PrepareForCreate { get; init; }

    /// <summary>Normalisation a built-in kind applies on every write (a Secret's write-only stringData folded into data).</summary>
    public Action<JsonObject>? PrepareForWrite { get; init; }

    /// <summary>Built-in kinds' own checks (a pod needs containers, each with a name and an image).</summary>
    public Func<JsonObject, IReadOnlyList<FieldError>>? Validate { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string GroupVersion => ApiVersion;
    public string StorageId => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
    public string ListKind => Kind + "List";
    public bool HasStatus => Subresources.Contains("status");

    /// <summary>The name the real server uses in messages, e.g. `widgets.example.dev` or `pods`.</summary>
    public string QualifiedResource => StorageId;

    /// <summary>The Kind.group the real server uses in "is invalid" messages.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public IEnumerable<string> AllSelectableFields => SelectableFields.Prepend(Namespaced ? "metadata.namespace" : "metadata.name").Prepend("metadata.name").Distinct();
}
