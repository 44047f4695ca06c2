using System.Text.Json.Nodes;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.Serialization;

/// <summary>Finds [RequiredField] properties absent from a JSON tree, walking it alongside the API types.</summary>
internal static class RequiredFields
{
    public static IEnumerable<string> Missing(JsonNode? node, Type type, string path)
    {
        if (node is not JsonObject obj)
        {
            yield break;
        }

        foreach (var property in ApiProperty.Of(type))
        {
            var fieldPath = $"{path}.{property.JsonName}";
            var child = obj[property.JsonName];
            if (child is null)
            {
                if (property.Required)
                {
                    yield return fieldPath;
                }

                continue;
            }

            IEnumerable<string> inner = property switch
            {
                { ItemType: { } item } when ApiProperty.IsApiObject(item) && child is JsonArray array =>
                    array.SelectMany((element, i) => Missing(element, item, $"{fieldPath}[{i}]")),
                _ when ApiProperty.IsApiObject(property.ValueType) => Missing(child, property.ValueType, fieldPath),
                _ => [],
            };
            foreach (var missing in inner)
            {
                yield return missing;
            }
        }
    }
}
