using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// The schema markers (required, minimum, maximum, minItems, pattern, enum values), checked generically
/// over the object tree: the same markers the CRD publishes, so the API server and this agree.
/// </summary>
internal static class MarkerRules
{
    public static void Check(object node, string path, List<ValidationProblem> problems)
    {
        foreach (var property in ApiProperty.Of(node.GetType()))
        {
            var fieldPath = $"{path}.{property.JsonName}";
            var value = property.Info.GetValue(node);
            if (value is null || (value is string { Length: 0 } && property.Required))
            {
                if (property.Required)
                {
                    problems.Add(ValidationProblem.Error(fieldPath, "required field is missing"));
                }

                continue;
            }

            CheckValue(property, value, fieldPath, problems);
        }
    }

    private static void CheckValue(ApiProperty property, object value, string path, List<ValidationProblem> problems)
    {
        switch (value)
        {
            case string text:
                if (property.Pattern is { } pattern && !Regex.IsMatch(text, pattern))
                {
                    problems.Add(ValidationProblem.Error(path, $"expected a value matching {pattern}, found '{text}'"));
                }

                break;
            case Enum e:
                if (!Enum.IsDefined(e.GetType(), e))
                {
                    problems.Add(ValidationProblem.Error(path, $"expected one of {string.Join(", ", Enum.GetNames(e.GetType()))}, found {e}"));
                }

                break;
            case int or long or double:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (property.Minimum is { } min && number < min)
                {
                    problems.Add(ValidationProblem.Error(path, $"expected a value >= {Format(min)}, found {Format(number)}"));
                }

                if (property.Maximum is { } max && number > max)
                {
                    problems.Add(ValidationProblem.Error(path, $"expected a value <= {Format(max)}, found {Format(number)}"));
                }

                break;
            case IList list:
                if (property.MinItems is { } minItems && list.Count < minItems)
                {
                    problems.Add(ValidationProblem.Error(path, $"expected at least {minItems} item(s), found {list.Count}"));
                }

                if (property.ItemType is { } itemType && ApiProperty.IsApiObject(itemType))
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is { } item)
                        {
                            Check(item, $"{path}[{i}]", problems);
                        }
                        else
                        {
                            problems.Add(ValidationProblem.Error($"{path}[{i}]", "expected an object, found null"));
                        }
                    }
                }

                break;
            default:
                if (ApiProperty.IsApiObject(value.GetType()))
                {
                    Check(value, path, problems);
                }

                break;
        }
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
