namespace LlamaOperator.DevCluster.Validation;

/// <summary>
/// One invalid field as the real API server reports it in Status.details.causes:
/// reason (FieldValueInvalid, FieldValueRequired, ...), the field path and the message.
/// </summary>
public sealed record FieldError(string Reason, string Field, string Detail)
{
    /// <summary>`field: Detail` as it appears in the Status message.</summary>
    public string Message => $"{Field}: {Detail}";

    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError Invalid(string field, string valueJson, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {valueJson}: {detail}");

    public static FieldError TypeInvalid(string field, string valueJson, string detail) =>
        new("FieldValueTypeInvalid", field, $"Invalid value: {valueJson}: {detail}");

    public static FieldError NotSupported(string field, string valueJson, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, $"Unsupported value: {valueJson}: supported values: {string.Join(", ", supported)}");

    public static FieldError TooMany(string field, int count, long max) =>
        new("FieldValueTooMany", field, $"Too many: {count}: must have at most {max} items");

    public static FieldError TooLong(string field, long max) =>
        new("FieldValueTooLong", field, $"Too long: may not be more than {max} bytes");
}
