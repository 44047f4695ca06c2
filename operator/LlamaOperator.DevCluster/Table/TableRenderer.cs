using System.Globalization;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;

namespace LlamaOperator.DevCluster.Table;

/// <summary>
/// The meta.k8s.io/v1 Table form `kubectl get` asks for: a Name column, the kind's printer columns
/// (a CRD's additionalPrinterColumns), date columns as ages, and per row the object's metadata.
/// </summary>
public static class TableRenderer
{
    public static JsonObject Render(ResourceKind kind, IEnumerable<JsonObject> objects, string resourceVersion, string includeObject, DateTimeOffset now, bool withColumns = true)
    {
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        };
        table["columnDefinitions"] = withColumns ? Columns(kind) : new JsonArray();
        table["rows"] = new JsonArray(objects.Select(o => (JsonNode)Row(kind, o, includeObject, now)).ToArray());
        return table;
    }

    public static JsonArray Columns(ResourceKind kind)
    {
        var columns = new JsonArray
        {
            new JsonObject
            {
                ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["priority"] = 0,
                ["description"] = "Name must be unique within a namespace.",
            },
        };
        foreach (var column in kind.PrinterColumns)
        {
            columns.Add(new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type,
                ["format"] = column.Format,
                ["description"] = column.Description,
                ["priority"] = column.Priority,
            });
        }
        return columns;
    }

    public static JsonObject Row(ResourceKind kind, JsonObject obj, string includeObject, DateTimeOffset now)
    {
        var cells = new JsonArray { (string?)obj["metadata"]?["name"] };
        foreach (var column in kind.PrinterColumns)
        {
            cells.Add(Cell(column, obj, now));
        }
        var row = new JsonObject { ["cells"] = cells };
        row["object"] = includeObject switch
        {
            "None" => null,
            "Object" => obj.DeepClone(),
            _ => new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = obj["metadata"]?.DeepClone(),
            },
        };
        return row;
    }

    private static JsonNode? Cell(PrinterColumn column, JsonObject obj, DateTimeOffset now)
    {
        JsonNode? value;
        try
        {
            value = column.Cell(obj);
        }
        catch (FormatException)
        {
            return null;
        }
        if (value is null)
        {
            return null;
        }
        if (column.Type == "date" && value is JsonValue v && v.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return HumanDuration.Format(now - time);
        }
        return value is JsonValue ? value.DeepClone() : value.ToJsonString();
    }
}
