using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Core.Crd;

/// <summary>
/// Builds a structural OpenAPI v3 schema from the API types by reflection: types and formats, enums,
/// the schema markers, descriptions, maps as additionalProperties, and embedded Kubernetes types walked
/// through their [JsonPropertyName] properties.
/// </summary>
public static class OpenApiSchemaBuilder
{
    /// <summary>Kubernetes types nest deeply (pod specs); below this depth they are kept as opaque objects.</summary>
    private const int MaxKubernetesDepth = 6;

    public static V1JSONSchemaProps ForType(Type type) => ForType(type, [], 0);

    private static V1JSONSchemaProps ForType(Type type, HashSet<Type> enclosing, int kubernetesDepth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new V1JSONSchemaProps { Type = "string" };
        }

        if (type == typeof(bool))
        {
            return new V1JSONSchemaProps { Type = "boolean" };
        }

        if (type == typeof(int))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(double))
        {
            return new V1JSONSchemaProps { Type = "number", Format = "double" };
        }

        if (type == typeof(DateTime))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        }

        if (type.IsEnum)
        {
            return new V1JSONSchemaProps { Type = "string", EnumProperty = [.. Enum.GetNames(type)] };
        }

        if (type == typeof(ResourceQuantity) || type == typeof(IntOrString))
        {
            return new V1JSONSchemaProps { XKubernetesIntOrString = true, AnyOf = [new() { Type = "integer" }, new() { Type = "string" }] };
        }

        if (type == typeof(V1ObjectMeta))
        {
            // Structural schemas may only say "object" for metadata; the API server validates it.
            return new V1JSONSchemaProps { Type = "object" };
        }

        if (ApiProperty.IsMap(type))
        {
            return new V1JSONSchemaProps { Type = "object", AdditionalProperties = ForType(type.GetGenericArguments()[1], enclosing, kubernetesDepth) };
        }

        if (ApiProperty.ListItemType(type) is { } item)
        {
            return new V1JSONSchemaProps { Type = "array", Items = ForType(item, enclosing, kubernetesDepth) };
        }

        if (ApiProperty.IsApiObject(type))
        {
            return ForApiObject(type, enclosing, kubernetesDepth);
        }

        if (type.IsClass && type.Namespace == typeof(V1ObjectMeta).Namespace)
        {
            return ForKubernetesObject(type, enclosing, kubernetesDepth);
        }

        throw new NotSupportedException($"no OpenAPI mapping for {type.FullName}");
    }

    private static V1JSONSchemaProps ForApiObject(Type type, HashSet<Type> enclosing, int kubernetesDepth)
    {
        var properties = new Dictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal);
        var required = new List<string>();
        enclosing.Add(type);
        foreach (var property in ApiProperty.Of(type))
        {
            var schema = ForType(property.ClrType, enclosing, kubernetesDepth);
            schema.Description = property.Description ?? Description(property.ValueType);
            ApplyMarkers(property, schema);
            properties[property.JsonName] = schema;
            if (property.Required)
            {
                required.Add(property.JsonName);
            }
        }

        enclosing.Remove(type);
        return new V1JSONSchemaProps
        {
            Type = "object",
            Properties = properties,
            Required = required.Count > 0 ? required : null,
        };
    }

    private static V1JSONSchemaProps ForKubernetesObject(Type type, HashSet<Type> enclosing, int kubernetesDepth)
    {
        if (kubernetesDepth >= MaxKubernetesDepth || enclosing.Contains(type))
        {
            return new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true };
        }

        enclosing.Add(type);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(p => p.Name!, p => ForType(p.Property.PropertyType, enclosing, kubernetesDepth + 1), StringComparer.Ordinal);
        enclosing.Remove(type);
        return new V1JSONSchemaProps { Type = "object", Properties = properties };
    }

    private static void ApplyMarkers(ApiProperty property, V1JSONSchemaProps schema)
    {
        schema.Minimum = property.Minimum;
        schema.Maximum = property.Maximum;
        schema.MinItems = property.MinItems;
        schema.Pattern = property.Pattern;
        if (property.DefaultJson is { } json)
        {
            schema.DefaultProperty = JsonNode.Parse(json)!.AsValue() switch
            {
                var v when v.TryGetValue<string>(out var s) => s,
                var v when v.TryGetValue<long>(out var l) => l,
                var v when v.TryGetValue<double>(out var d) => d,
                var v when v.TryGetValue<bool>(out var b) => b,
                _ => throw new InvalidOperationException($"default of {property.JsonName} is not a scalar: {json}"),
            };
        }

        if (property.PreserveUnknownFields)
        {
            schema.XKubernetesPreserveUnknownFields = true;
        }
    }

    private static string? Description(Type type) =>
        (ApiProperty.ListItemType(type) ?? type).GetCustomAttribute<DescriptionAttribute>()?.Description;
}
