namespace LlamaOperator.DevCluster.Selectors;

/// <summary>
/// A field selector (`metadata.name=x,status.phase!=Running`): only = / == / != on the fields a kind
/// declares selectable, as the real server; other fields are a 400 naming the field.
/// </summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    public FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> terms) => Terms = terms;

    public IReadOnlyList<(string Field, bool Equal, string Value)> Terms { get; }

    public bool Matches(IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (field, equal, value) in Terms)
        {
            var actual = fields.TryGetValue(field, out var v) ? v : "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }
        return true;
    }

    public static FieldSelector Parse(string? text, IReadOnlyCollection<string> selectable, string resource)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (at, length, equal) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? (ne, 2, false)
                : term.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? (ee, 2, true)
                : term.IndexOf('=') is var e and > 0 ? (e, 1, true)
                : throw new SelectorException($"field selector \"{text}\": invalid term \"{term}\" (expected field=value or field!=value)");
            var field = term[..at].Trim();
            if (!selectable.Contains(field))
            {
                throw new SelectorException($"field label not supported: {field} (resource {resource} supports {string.Join(", ", selectable)})");
            }
            terms.Add((field, equal, term[(at + length)..].Trim()));
        }
        return new FieldSelector(terms);
    }
}
