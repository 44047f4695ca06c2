using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Selectors;

/// <summary>
/// A label selector: all requirements must hold. Parses the query-string form
/// (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and the API form (matchLabels + matchExpressions).
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    public LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEverything => Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }
        return true;
    }

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var requirements = new List<LabelRequirement>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }
        return new LabelSelector(requirements);
    }

    /// <summary>A metav1.LabelSelector object; null means "matches nothing" in affinity, so callers decide.</summary>
    public static LabelSelector FromApi(JsonObject selector)
    {
        var requirements = new List<LabelRequirement>();
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                requirements.Add(new LabelRequirement(key, LabelOperator.Equals, [(string?)value ?? ""]));
            }
        }
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = (string?)expression["key"] ?? throw new SelectorException("matchExpressions[].key is required");
                var values = expression["values"] is JsonArray v ? v.Select(x => (string?)x ?? "").ToList() : [];
                var op = (string?)expression["operator"] switch
                {
                    "In" => LabelOperator.In,
                    "NotIn" => LabelOperator.NotIn,
                    "Exists" => LabelOperator.Exists,
                    "DoesNotExist" => LabelOperator.DoesNotExist,
                    var other => throw new SelectorException($"matchExpressions[].operator \"{other}\" is not one of In, NotIn, Exists, DoesNotExist"),
                };
                requirements.Add(new LabelRequirement(key, op, values));
            }
        }
        return new LabelSelector(requirements);
    }

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static LabelRequirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw new SelectorException($"label selector \"{whole}\": empty term");
        }
        if (term.StartsWith('!'))
        {
            return new LabelRequirement(CheckKey(term[1..].Trim(), whole), LabelOperator.DoesNotExist, []);
        }
        foreach (var (token, op) in new[] { ("!=", LabelOperator.NotEquals), ("==", LabelOperator.Equals), ("=", LabelOperator.Equals) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new LabelRequirement(CheckKey(term[..at].Trim(), whole), op, [term[(at + token.Length)..].Trim()]);
            }
        }
        var open = term.IndexOf('(');
        if (open > 0)
        {
            if (!term.EndsWith(')'))
            {
                throw new SelectorException($"label selector \"{whole}\": term \"{term}\" misses ')'");
            }
            var head = term[..open].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length != 2 || (head[1] != "in" && head[1] != "notin"))
            {
                throw new SelectorException($"label selector \"{whole}\": expected \"key in (...)\" or \"key notin (...)\", got \"{term}\"");
            }
            var values = term[(open + 1)..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            return new LabelRequirement(CheckKey(head[0], whole), head[1] == "in" ? LabelOperator.In : LabelOperator.NotIn, values);
        }
        return new LabelRequirement(CheckKey(term, whole), LabelOperator.Exists, []);
    }

    private static string CheckKey(string key, string whole) =>
        key.Length > 0 && !key.Contains(' ') ? key : throw new SelectorException($"label selector \"{whole}\": invalid key \"{key}\"");
}
