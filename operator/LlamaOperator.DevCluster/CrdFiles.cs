using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace LlamaOperator.DevCluster;

/// <summary>Reads CustomResourceDefinitions from YAML (multi-document) or JSON files into JSON objects.</summary>
public static class CrdFiles
{
    public static IReadOnlyList<JsonObject> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"CRD directory \"{directory}\" does not exist");
        }
        return Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Load(f))
            .ToList();
    }

    public static IReadOnlyList<JsonObject> Load(string file)
    {
        var documents = Parse(File.ReadAllText(file), file);
        foreach (var document in documents)
        {
            if ((string?)document["kind"] != "CustomResourceDefinition")
            {
                throw new InvalidDataException($"{file}: expected kind CustomResourceDefinition, got \"{(string?)document["kind"]}\"");
            }
        }
        return documents;
    }

    /// <summary>YAML or JSON text to JSON objects; YAML scalars become numbers/booleans only when untagged and unquoted.</summary>
    public static IReadOnlyList<JsonObject> Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{source}: invalid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        return stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted
            or YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
        {
            return value;
        }
        return value switch
        {
            "null" or "~" or "" => null,
            "true" or "True" => true,
            "false" or "False" => false,
            _ when long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l) => l,
            _ when value.Any(char.IsDigit) && !value.Any(char.IsLetter) && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
            _ => value,
        };
    }
}
