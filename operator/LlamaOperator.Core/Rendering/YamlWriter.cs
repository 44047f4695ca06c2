using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// Block-style YAML from a JSON tree. Written here because KubernetesYaml takes seconds for a 2,048-pod stage.
/// Scalars stay unambiguous: a string is plain only when it cannot read as a number, bool or null; multi-line
/// text becomes a literal block; anything else keeps its JSON double-quoted form, which is valid YAML.
/// </summary>
public static partial class YamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "y", "n", "yes", "no", "on", "off", "true", "false", "null" };

    public static void Write(JsonElement element, StringBuilder yaml)
    {
        if (element.ValueKind is JsonValueKind.Object or JsonValueKind.Array && !IsEmpty(element))
        {
            WriteBlock(element, yaml, 0);
        }
        else
        {
            WriteScalar(element, yaml, 0);
            yaml.Append('\n');
        }
    }

    private static void WriteBlock(JsonElement element, StringBuilder yaml, int indent)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var first = true;
            foreach (var property in element.EnumerateObject())
            {
                if (!first)
                {
                    yaml.Append(' ', indent);
                }

                first = false;
                yaml.Append(Safe(property.Name) ? property.Name : JsonSerializer.Serialize(property.Name)).Append(':');
                WriteValue(property.Value, yaml, indent + 2);
            }

            return;
        }

        var firstItem = true;
        foreach (var item in element.EnumerateArray())
        {
            if (!firstItem)
            {
                yaml.Append(' ', indent);
            }

            firstItem = false;
            yaml.Append("- ");
            if (item.ValueKind == JsonValueKind.Object && !IsEmpty(item))
            {
                WriteBlock(item, yaml, indent + 2);
            }
            else if (item.ValueKind == JsonValueKind.Array && !IsEmpty(item))
            {
                yaml.Append('\n').Append(' ', indent + 2);
                WriteBlock(item, yaml, indent + 2);
            }
            else
            {
                WriteScalar(item, yaml, indent + 2);
                yaml.Append('\n');
            }
        }
    }

    /// <summary>After "key:": a nested block on the next lines, or " scalar" on this one.</summary>
    private static void WriteValue(JsonElement value, StringBuilder yaml, int indent)
    {
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && !IsEmpty(value))
        {
            // Sequences under a key may sit at the key's own indentation; nesting them reads better.
            yaml.Append('\n').Append(' ', indent);
            WriteBlock(value, yaml, indent);
            return;
        }

        yaml.Append(' ');
        WriteScalar(value, yaml, indent);
        yaml.Append('\n');
    }

    private static void WriteScalar(JsonElement value, StringBuilder yaml, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                yaml.Append("{}");
                break;
            case JsonValueKind.Array:
                yaml.Append("[]");
                break;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (Safe(text))
                {
                    yaml.Append(text);
                }
                else if (LiteralBlockSafe(text))
                {
                    yaml.Append("|-");
                    foreach (var line in text.Split('\n'))
                    {
                        yaml.Append('\n');
                        if (line.Length > 0)
                        {
                            yaml.Append(' ', indent).Append(line);
                        }
                    }
                }
                else
                {
                    yaml.Append(value.GetRawText());
                }

                break;
            default:
                yaml.Append(value.GetRawText());
                break;
        }
    }

    private static bool IsEmpty(JsonElement element) => element.ValueKind == JsonValueKind.Object
        ? !element.EnumerateObject().Any()
        : element.GetArrayLength() == 0;

    private static bool Safe(string text) => PlainScalar().IsMatch(text) && !Reserved.Contains(text);

    /// <summary>Multi-line text with nothing a literal block would change: no leading space, trailing whitespace or control characters.</summary>
    private static bool LiteralBlockSafe(string text) =>
        text.Contains('\n') && text[0] != ' ' && !char.IsWhiteSpace(text[^1]) && !text.Any(c => char.IsControl(c) && c != '\n');

    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*\z")]
    private static partial Regex PlainScalar();
}
