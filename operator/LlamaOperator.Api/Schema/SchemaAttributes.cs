namespace LlamaOperator.Api.Schema;

// Validation markers read by the CRD generator (operator) and by manifest validation.
// They mirror the OpenAPI v3 keywords a structural CRD schema allows, as kubebuilder markers do.

/// <summary>The field must be present (OpenAPI <c>required</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredFieldAttribute : Attribute;

/// <summary>Inclusive lower bound of a number (OpenAPI <c>minimum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(double value) : Attribute
{
    public double Value { get; } = value;
}

/// <summary>Inclusive upper bound of a number (OpenAPI <c>maximum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(double value) : Attribute
{
    public double Value { get; } = value;
}

/// <summary>Minimum number of items in a list (OpenAPI <c>minItems</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinItemsAttribute(int value) : Attribute
{
    public int Value { get; } = value;
}

/// <summary>Regular expression a string must match (OpenAPI <c>pattern</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string value) : Attribute
{
    public string Value { get; } = value;
}

/// <summary>Default value the API server applies when the field is absent (OpenAPI <c>default</c>), as JSON.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultValueJsonAttribute(string json) : Attribute
{
    public string Json { get; } = json;
}

/// <summary>A field whose content the schema does not describe (x-kubernetes-preserve-unknown-fields).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;
