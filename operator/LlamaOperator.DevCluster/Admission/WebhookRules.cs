using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Admission;

/// <summary>
/// Whether a webhook of a ValidatingWebhookConfiguration applies to a request, as kube-apiserver decides: a rule whose
/// operations, apiGroups, apiVersions, resources ("pods", "*", "*/*"; a subresource only when named) and scope match,
/// then the namespaceSelector (the namespace's labels) and the objectSelector (the object's or the old object's labels).
/// </summary>
internal static class WebhookRules
{
    public static bool MatchesKind(JsonObject webhook, ResourceKind kind, string operation) =>
        webhook["rules"] is JsonArray rules && rules.OfType<JsonObject>().Any(rule => RuleMatches(rule, kind, operation));

    public static bool MatchesSelectors(JsonObject webhook, IReadOnlyDictionary<string, string>? namespaceLabels, JsonObject obj, JsonObject? old)
    {
        if (namespaceLabels is not null && webhook["namespaceSelector"] is JsonObject namespaceSelector && !LabelSelector.FromApi(namespaceSelector).Matches(namespaceLabels))
        {
            return false;
        }

        if (webhook["objectSelector"] is JsonObject objectSelector)
        {
            var selector = LabelSelector.FromApi(objectSelector);
            return selector.Matches(Store.Meta.Labels(obj)) || (old is not null && selector.Matches(Store.Meta.Labels(old)));
        }

        return true;
    }

    private static bool RuleMatches(JsonObject rule, ResourceKind kind, string operation)
    {
        var scope = (string?)rule["scope"] ?? "*";
        return Contains(rule["operations"], operation)
            && Contains(rule["apiGroups"], kind.Group)
            && Contains(rule["apiVersions"], kind.Version)
            && rule["resources"] is JsonArray resources && resources.Any(r => (string?)r is "*" or "*/*" || (string?)r == kind.Plural)
            && (scope == "*" || (scope == "Namespaced") == kind.Namespaced);
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray items && items.Any(i => (string?)i == "*" || (string?)i == value);
}
