using System.Globalization;
using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Json;

/// <summary>
/// The JSONPath subset printer columns and selectable fields use: `.a.b`, `.a[0].b`,
/// `.a[?(@.type=="Ready")].status`, with `{...}` braces tolerated. Returns the first match or null.
/// </summary>
public static class JsonPathLite
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var text = path.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1];
        }
        if (text.StartsWith('$'))
        {
            text = text[1..];
        }
        var current = root;
        var i = 0;
        while (i < text.Length && current is not null)
        {
            if (text[i] == '.')
            {
                i++;
                var start = i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }
                var name = text[start..i];
                current = current is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null;
            }
            else if (text[i] == '[')
            {
                var end = FindClosingBracket(text, i);
                current = Index(current, text[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                throw new FormatException($"JSONPath \"{path}\": unexpected '{text[i]}' at {i}");
            }
        }
        return current;
    }

    private static int FindClosingBracket(string text, int open)
    {
        var inQuote = false;
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '"' || text[i] == '\'')
            {
                inQuote = !inQuote;
            }
            else if (text[i] == ']' && !inQuote)
            {
                return i;
            }
        }
        throw new FormatException($"JSONPath \"{text}\": missing ']'");
    }

    private static JsonNode? Index(JsonNode? node, string inside)
    {
        if (node is not JsonArray array)
        {
            return null;
        }
        if (int.TryParse(inside, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            if (index < 0)
            {
                index += array.Count;
            }
            return index >= 0 && index < array.Count ? array[index] : null;
        }
        if (inside == "*")
        {
            return array.Count > 0 ? array[0] : null;
        }
        // Filter: ?(@.field=="value")
        var filter = inside.Trim();
        if (!filter.StartsWith("?(@.") || !filter.EndsWith(')') || !filter.Contains("=="))
        {
            throw new FormatException($"JSONPath filter \"[{inside}]\" is not supported (expected ?(@.field==\"value\"))");
        }
        var body = filter[4..^1];
        var eq = body.IndexOf("==", StringComparison.Ordinal);
        var field = body[..eq].Trim();
        var expected = body[(eq + 2)..].Trim().Trim('"', '\'');
        return array.FirstOrDefault(item => item is JsonObject o && ScalarText(Evaluate(o, "." + field)) == expected);
    }

    /// <summary>The text of a scalar as kubectl prints it; objects and arrays as compact JSON.</summary>
    public static string? ScalarText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
