using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlamaOperator.Api.Serialization;

/// <summary>
/// Converts YAML documents to JSON nodes with YAML 1.2 core-schema scalar typing (as Kubernetes reads
/// manifests), and remembers the line of every field so that errors can point into the file.
/// </summary>
public static partial class YamlToJson
{
    public sealed record Document(JsonNode? Root, IReadOnlyDictionary<string, int> Lines);

    /// <summary>All documents of a YAML stream; empty documents are skipped.</summary>
    public static IReadOnlyList<Document> Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<Document>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }

            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            documents.Add(new Document(ToNode(document.RootNode, "", lines), lines));
        }

        return documents;
    }

    private static JsonNode? ToNode(YamlNode node, string path, Dictionary<string, int> lines)
    {
        lines[path] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    var childPath = path.Length == 0 ? name : path + "." + name;
                    if (obj.ContainsKey(name))
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate field '{childPath}'");
                    }

                    obj[name] = ToNode(value, childPath, lines);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(ToNode(sequence.Children[i], $"{path}[{i}]", lines));
                }

                return array;
            case YamlScalarNode scalar:
                return ScalarToNode(scalar);
            default:
                throw new YamlException(node.Start, node.End, $"unsupported YAML node at '{path}'");
        }
    }

    private static JsonValue? ScalarToNode(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
