using System.Globalization;
using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Json;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) over JSON pointers (RFC 6901).</summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw new JsonPatchException("a JSON patch must be an array of operations");
        }
        var root = new JsonObject { ["doc"] = document?.DeepClone() };
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject op)
            {
                throw new JsonPatchException($"operation {i}: expected an object");
            }
            var kind = (string?)op["op"] ?? throw new JsonPatchException($"operation {i}: missing \"op\"");
            var path = (string?)op["path"] ?? throw new JsonPatchException($"operation {i}: missing \"path\"");
            switch (kind)
            {
                case "add":
                    Add(root, path, RequireValue(op, i));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, RequireValue(op, i));
                    break;
                case "move":
                    {
                        var from = (string?)op["from"] ?? throw new JsonPatchException($"operation {i}: missing \"from\"");
                        var value = Get(root, from);
                        Remove(root, from);
                        Add(root, path, value);
                        break;
                    }
                case "copy":
                    {
                        var from = (string?)op["from"] ?? throw new JsonPatchException($"operation {i}: missing \"from\"");
                        Add(root, path, Get(root, from)?.DeepClone());
                        break;
                    }
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new JsonPatchException($"test operation failed at {path}");
                    }
                    break;
                default:
                    throw new JsonPatchException($"operation {i}: unknown op \"{kind}\"");
            }
        }
        return root["doc"];
    }

    private static JsonNode? RequireValue(JsonObject op, int index) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw new JsonPatchException($"operation {index}: missing \"value\"");

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw new JsonPatchException($"path \"{pointer}\" must start with '/'");
        }
        var tokens = new List<string> { "doc" };
        if (pointer.Length == 0)
        {
            return tokens;
        }
        tokens.AddRange(pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")));
        return tokens;
    }

    private static (JsonNode Parent, string Last) Parent(JsonObject root, string pointer)
    {
        var tokens = Tokens(pointer);
        JsonNode current = root;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = Child(current, token) ?? throw new JsonPatchException($"path \"{pointer}\" does not exist");
        }
        return (current, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : null,
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        return parent switch
        {
            JsonObject o when o.TryGetPropertyValue(last, out var v) => v,
            JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
            _ => throw new JsonPatchException($"path \"{pointer}\" does not exist"),
        };
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new JsonPatchException($"cannot add at \"{pointer}\"");
        }
    }

    private static void Remove(JsonObject root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new JsonPatchException($"path \"{pointer}\" does not exist");
        }
    }
}
