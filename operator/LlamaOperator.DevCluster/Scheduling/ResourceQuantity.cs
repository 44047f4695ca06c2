using System.Globalization;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>Kubernetes resource quantities ("500m", "2", "16Gi", "1G", "1e3") as exact decimals.</summary>
public static class ResourceQuantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 1e-9m), ("u", 1e-6m), ("m", 1e-3m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    public static decimal Parse(string text, string field)
    {
        var value = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return number * factor;
            }
        }
        if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            return plain;
        }
        throw new FormatException($"{field}: \"{text}\" is not a resource quantity (expected e.g. 500m, 2, 16Gi)");
    }
}
