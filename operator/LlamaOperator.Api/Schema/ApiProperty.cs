using System.Collections;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlamaOperator.Api.Schema;

/// <summary>One serialized property of an API type, with its JSON name and schema markers.</summary>
public sealed record ApiProperty(PropertyInfo Info, string JsonName)
{
    public Type ClrType => Info.PropertyType;

    /// <summary>The type without Nullable&lt;&gt;.</summary>
    public Type ValueType => Nullable.GetUnderlyingType(ClrType) ?? ClrType;

    public bool Required => Info.IsDefined(typeof(RequiredFieldAttribute));

    public string? Description => Info.GetCustomAttribute<DescriptionAttribute>()?.Description;

    public double? Minimum => Info.GetCustomAttribute<MinimumAttribute>()?.Value;

    public double? Maximum => Info.GetCustomAttribute<MaximumAttribute>()?.Value;

    public int? MinItems => Info.GetCustomAttribute<MinItemsAttribute>()?.Value;

    public string? Pattern => Info.GetCustomAttribute<PatternAttribute>()?.Value;

    public string? DefaultJson => Info.GetCustomAttribute<DefaultValueJsonAttribute>()?.Json;

    public bool PreserveUnknownFields => Info.IsDefined(typeof(PreserveUnknownFieldsAttribute));

    /// <summary>The item type of a list property, or null.</summary>
    public Type? ItemType => ListItemType(ValueType);

    public static Type? ListItemType(Type type) =>
        type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && !IsMap(type)
            ? type.GetGenericArguments()[0]
            : null;

    public static bool IsMap(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(Dictionary<,>) || d == typeof(IDictionary<,>));

    /// <summary>A class of this API (walked field by field), as opposed to a Kubernetes or system type.</summary>
    public static bool IsApiObject(Type type) =>
        type.IsClass && type != typeof(string) && type.Assembly == typeof(ApiProperty).Assembly;

    /// <summary>The properties the API's JSON has, in declaration order (JsonPropertyName, else camelCase).</summary>
    public static IReadOnlyList<ApiProperty> Of(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && !p.IsDefined(typeof(JsonIgnoreAttribute)))
            .OrderBy(p => p.MetadataToken)
            .Select(p => new ApiProperty(p, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .ToList();
}
