using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlamaOperator.DevCluster.Validation;

/// <summary>
/// A CRD's openAPIV3Schema applied as the real server does, in its order: drop nulls of non-nullable
/// fields, prune unknown fields (unless x-kubernetes-preserve-unknown-fields), apply defaults, then
/// validate (type, required, enum, bounds, lengths, pattern, items) with field paths. metadata is
/// left to the generic object checks.
/// </summary>
public sealed class StructuralSchema(JsonObject schema)
{
    public JsonObject Schema { get; } = schema;

    /// <summary>Prunes and defaults <paramref name="obj"/> in place, then validates it.</summary>
    public SchemaCheckResult Check(JsonObject obj)
    {
        var unknown = new List<string>();
        var errors = new List<FieldError>();
        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }
            var propertySchema = PropertySchema(Schema, name);
            if (propertySchema is null)
            {
                if (!PreservesUnknown(Schema))
                {
                    obj.Remove(name);
                    unknown.Add(name);
                }
                continue;
            }
            var value = obj[name];
            if (value is null && !IsNullable(propertySchema))
            {
                obj.Remove(name);
                continue;
            }
            obj[name] = Normalize(value, propertySchema, name, unknown);
        }
        ApplyDefaults(obj, Schema, "", unknown);
        foreach (var (name, value) in obj)
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }
            if (PropertySchema(Schema, name) is { } propertySchema)
            {
                Validate(value, propertySchema, name, errors);
            }
        }
        foreach (var required in RequiredOf(Schema).Where(r => r is not ("apiVersion" or "kind" or "metadata")))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required(required));
            }
        }
        return new SchemaCheckResult(errors, unknown);
    }

    private static JsonObject? PropertySchema(JsonObject schema, string name)
    {
        if (schema["properties"] is JsonObject properties && properties[name] is JsonObject property)
        {
            return property;
        }
        return schema["additionalProperties"] as JsonObject;
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true
        || schema["additionalProperties"] is JsonObject
        || (schema["additionalProperties"] is JsonValue v && v.TryGetValue<bool>(out var b) && b);

    private static bool IsNullable(JsonObject schema) => schema["nullable"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static IEnumerable<string> RequiredOf(JsonObject schema) =>
        schema["required"] is JsonArray required ? required.Select(r => (string?)r ?? "") : [];

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>Drops non-nullable nulls and unknown fields, recursively; returns the (possibly new) node.</summary>
    private static JsonNode? Normalize(JsonNode? node, JsonObject schema, string path, List<string> unknown)
    {
        switch (node)
        {
            case JsonObject obj when (string?)schema["type"] is "object" or null:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var childPath = Join(path, name);
                    var childSchema = PropertySchema(schema, name);
                    if (childSchema is null)
                    {
                        if (!PreservesUnknown(schema))
                        {
                            obj.Remove(name);
                            unknown.Add(childPath);
                        }
                        continue;
                    }
                    if (obj[name] is null && !IsNullable(childSchema))
                    {
                        obj.Remove(name);
                        continue;
                    }
                    obj[name] = Normalize(obj[name], childSchema, childPath, unknown);
                }
                ApplyDefaults(obj, schema, path, unknown);
                return obj;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < array.Count; i++)
                {
                    var item = array[i];
                    array[i] = null;
                    array[i] = Normalize(item, itemSchema, $"{path}[{i}]", unknown);
                }
                return array;
            default:
                return node;
        }
    }

    private static void ApplyDefaults(JsonObject obj, JsonObject schema, string path, List<string> unknown)
    {
        if (schema["properties"] is not JsonObject properties)
        {
            return;
        }
        foreach (var (name, property) in properties)
        {
            if (!obj.ContainsKey(name) && property is JsonObject p && p["default"] is { } defaultValue)
            {
                obj[name] = Normalize(defaultValue.DeepClone(), p, Join(path, name), unknown);
            }
        }
    }

    private static void Validate(JsonNode? node, JsonObject schema, string path, List<FieldError> errors)
    {
        var valueJson = node?.ToJsonString() ?? "null";
        if (node is null)
        {
            if (!IsNullable(schema))
            {
                errors.Add(FieldError.TypeInvalid(path, "null", $"{path} in body must be of type {(string?)schema["type"] ?? "object"}: \"null\""));
            }
            return;
        }
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var type = (string?)schema["type"];
        var actual = TypeOf(node);
        if (intOrString)
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(FieldError.TypeInvalid(path, valueJson, $"{path} in body must be of type int-or-string: \"{actual}\""));
                return;
            }
        }
        else if (type is not null && type != actual && !(type == "number" && actual == "integer"))
        {
            errors.Add(FieldError.TypeInvalid(path, valueJson, $"{path} in body must be of type {type}: \"{actual}\""));
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, valueJson, allowed.Select(a => a?.ToJsonString() ?? "null")));
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var required in RequiredOf(schema))
                {
                    if (!obj.ContainsKey(required))
                    {
                        errors.Add(FieldError.Required(Join(path, required)));
                    }
                }
                foreach (var (name, child) in obj)
                {
                    if (PropertySchema(schema, name) is { } childSchema)
                    {
                        Validate(child, childSchema, Join(path, name), errors);
                    }
                }
                CheckCount(obj.Count, schema, "Properties", path, valueJson, errors);
                break;
            case JsonArray array:
                if (Number(schema["maxItems"]) is { } maxItems && array.Count > maxItems)
                {
                    errors.Add(FieldError.TooMany(path, array.Count, (long)maxItems));
                }
                if (Number(schema["minItems"]) is { } minItems && array.Count < minItems)
                {
                    errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should have at least {minItems} items"));
                }
                if (schema["items"] is JsonObject itemSchema)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Validate(array[i], itemSchema, $"{path}[{i}]", errors);
                    }
                }
                break;
            case JsonValue value when actual is "integer" or "number":
                var number = value.GetValue<double>();
                if (Number(schema["minimum"]) is { } minimum && (number < minimum || (Flag(schema, "exclusiveMinimum") && number == minimum)))
                {
                    errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should be greater than {(Flag(schema, "exclusiveMinimum") ? "" : "or equal to ")}{Format(minimum)}"));
                }
                if (Number(schema["maximum"]) is { } maximum && (number > maximum || (Flag(schema, "exclusiveMaximum") && number == maximum)))
                {
                    errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should be less than {(Flag(schema, "exclusiveMaximum") ? "" : "or equal to ")}{Format(maximum)}"));
                }
                break;
            case JsonValue value when actual == "string":
                var text = value.GetValue<string>();
                if (Number(schema["maxLength"]) is { } maxLength && text.Length > maxLength)
                {
                    errors.Add(FieldError.TooLong(path, (long)maxLength));
                }
                if (Number(schema["minLength"]) is { } minLength && text.Length < minLength)
                {
                    errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should be at least {minLength} chars long"));
                }
                if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should match '{pattern}'"));
                }
                break;
        }
    }

    private static void CheckCount(int count, JsonObject schema, string what, string path, string valueJson, List<FieldError> errors)
    {
        if (Number(schema["max" + what]) is { } max && count > max)
        {
            errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should have at most {max} properties"));
        }
        if (Number(schema["min" + what]) is { } min && count < min)
        {
            errors.Add(FieldError.Invalid(path, valueJson, $"{path} in body should have at least {min} properties"));
        }
    }

    private static bool Flag(JsonObject schema, string name) => schema[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string TypeOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsIntegral(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static bool IsIntegral(JsonValue value) =>
        value.TryGetValue<long>(out _) || (value.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon && !value.ToJsonString().Contains('.'));
}
