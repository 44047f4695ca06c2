using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>
/// A column of the Table form (`kubectl get`): name, OpenAPI type (string, integer, date, ...),
/// priority (0 = shown by default, 1 = with -o wide) and how to read the cell from an object.
/// </summary>
public sealed record PrinterColumn(string Name, string Type, int Priority, string Description, Func<JsonObject, JsonNode?> Cell)
{
    public string Format { get; init; } = "";
}
