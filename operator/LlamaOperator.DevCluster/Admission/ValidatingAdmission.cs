using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;
using LlamaOperator.DevCluster.Validation;
using Serilog;

namespace LlamaOperator.DevCluster.Admission;

/// <summary>
/// Calls the validating admission webhooks of the stored ValidatingWebhookConfigurations on CREATE and UPDATE, as
/// kube-apiserver does: the matching webhooks get an admission.k8s.io/v1 AdmissionReview of the object as it would be
/// stored (and the old object) by POST to clientConfig.url over TLS verified against caBundle, within timeoutSeconds
/// (default 10). A denial fails the request with the webhook's status (code at least 400) and the message
/// `admission webhook "NAME" denied the request: ...`; a webhook that cannot be called, times out or answers nonsense
/// fails it with 500 under failurePolicy Fail (the default) and is skipped under Ignore. Warnings reach the client.
/// </summary>
internal sealed class ValidatingAdmission(ObjectStore store, ILogger log)
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();

    /// <summary>The webhooks whose rules match the kind and operation (selectors are checked later, against the object).</summary>
    public IReadOnlyList<JsonObject> Candidates(ResourceKind kind, string operation)
    {
        if (kind == BuiltInKinds.ValidatingWebhookConfigurations)
        {
            return []; // as on a real server, webhook configurations are never themselves subject to webhooks
        }

        var (configurations, _) = store.List(BuiltInKinds.ValidatingWebhookConfigurations, null);
        return configurations
            .SelectMany(c => c.ToJson()["webhooks"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(w => WebhookRules.MatchesKind(w, kind, operation))
            .ToList();
    }

    /// <summary>Calls every candidate whose selectors match, one after the other; throws the ApiException that refuses the request.</summary>
    public async Task ValidateAsync(IReadOnlyList<JsonObject> webhooks, ResourceKind kind, string operation, string ns, JsonObject obj, JsonObject? old, string user, List<string> warnings, CancellationToken cancellationToken)
    {
        var namespaceLabels = kind.Namespaced ? store.Get(BuiltInKinds.Namespaces, "", ns)?.Labels ?? new Dictionary<string, string>() : null;
        foreach (var webhook in webhooks.Where(w => WebhookRules.MatchesSelectors(w, namespaceLabels, obj, old)))
        {
            await CallAsync(webhook, kind, operation, ns, obj, old, user, warnings, cancellationToken);
        }
    }

    private async Task CallAsync(JsonObject webhook, ResourceKind kind, string operation, string ns, JsonObject obj, JsonObject? old, string user, List<string> warnings, CancellationToken cancellationToken)
    {
        var name = (string?)webhook["name"] ?? "";
        var failurePolicy = (string?)webhook["failurePolicy"] ?? "Fail";
        var timeout = webhook["timeoutSeconds"] is JsonValue seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds.GetValue<int>(), 1, 30)) : DefaultTimeout;
        var uid = Guid.NewGuid().ToString();
        JsonObject response;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            response = await PostAsync(webhook["clientConfig"] as JsonObject, timeout, Review(uid, kind, operation, ns, obj, old, user), uid, cancellationToken);
        }
        catch (WebhookCallException e)
        {
            if (failurePolicy == "Ignore")
            {
                log.Warning("Admission webhook {Webhook} failed and is ignored (failurePolicy Ignore): {Reason}", name, e.Message);
                return;
            }

            throw new ApiException(500, "InternalError", $"Internal error occurred: failed calling webhook \"{name}\": {e.Message}");
        }

        foreach (var warning in response["warnings"] as JsonArray ?? [])
        {
            if ((string?)warning is { Length: > 0 } text)
            {
                warnings.Add(text.ReplaceLineEndings(" "));
            }
        }

        var allowed = response["allowed"] is JsonValue a && a.TryGetValue<bool>(out var isAllowed) && isAllowed;
        log.Debug("Admission webhook {Webhook} {Verdict} {Operation} {Resource} {Namespace}/{Name} in {ElapsedMs:F1} ms", name, allowed ? "allowed" : "denied", operation, kind.QualifiedResource, ns, Meta.Of(obj)["name"]?.ToString(), System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (!allowed)
        {
            throw Denial(name, response["status"] as JsonObject);
        }
    }

    /// <summary>The refusal as kube-apiserver's webhookerrors.ToStatusErr makes it from the webhook's status.</summary>
    private static ApiException Denial(string webhook, JsonObject? status)
    {
        var code = status?["code"] is JsonValue c && c.TryGetValue<int>(out var given) ? given : 0;
        var message = (string?)status?["message"];
        var reason = (string?)status?["reason"] ?? "";
        var deniedBy = $"admission webhook \"{webhook}\" denied the request";
        var details = status?["details"] as JsonObject;
        return new ApiException(code < 400 ? 400 : code, reason, message is { Length: > 0 } ? $"{deniedBy}: {message}" : reason.Length > 0 ? $"{deniedBy}: {reason}" : $"{deniedBy} without explanation")
        {
            Name = (string?)details?["name"],
            Group = (string?)details?["group"],
            Kind = (string?)details?["kind"],
            Causes = (details?["causes"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(cause => new FieldError((string?)cause["reason"] ?? "", (string?)cause["field"] ?? "", (string?)cause["message"] ?? ""))
                .ToList(),
        };
    }

    private static JsonObject Review(string uid, ResourceKind kind, string operation, string ns, JsonObject obj, JsonObject? old, string user)
    {
        var groupVersionKind = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind };
        var groupVersionResource = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["resource"] = kind.Plural };
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = groupVersionKind,
            ["resource"] = groupVersionResource,
            ["requestKind"] = groupVersionKind.DeepClone(),
            ["requestResource"] = groupVersionResource.DeepClone(),
            ["name"] = (string?)obj["metadata"]?["name"] ?? "",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = user },
            ["object"] = obj.DeepClone(),
            ["oldObject"] = old?.DeepClone(),
            ["dryRun"] = false,
            ["options"] = new JsonObject { ["kind"] = operation == "CREATE" ? "CreateOptions" : "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        };
        if (kind.Namespaced)
        {
            request["namespace"] = ns;
        }

        return new JsonObject { ["kind"] = "AdmissionReview", ["apiVersion"] = "admission.k8s.io/v1", ["request"] = request };
    }

    private async Task<JsonObject> PostAsync(JsonObject? clientConfig, TimeSpan timeout, JsonObject review, string uid, CancellationToken cancellationToken)
    {
        if ((string?)clientConfig?["url"] is not { Length: > 0 } url)
        {
            throw new WebhookCallException(clientConfig?["service"] is JsonObject service
                ? $"the dev cluster calls webhooks by clientConfig.url only; service {service["namespace"]}/{service["name"]} cannot be resolved on this host"
                : "the webhook has no clientConfig.url");
        }

        if (!url.StartsWith("https://", StringComparison.Ordinal))
        {
            throw new WebhookCallException($"failed to call webhook: webhook URL must use the https scheme: {url}");
        }

        var target = $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}timeout={(int)timeout.TotalSeconds}s";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string body;
        try
        {
            var client = ClientFor((string?)clientConfig["caBundle"]);
            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var answer = await client.PostAsync(target, content, deadline.Token);
            body = await answer.Content.ReadAsStringAsync(deadline.Token);
            if (!answer.IsSuccessStatusCode)
            {
                throw new WebhookCallException($"failed to call webhook: the server responded with the status code {(int)answer.StatusCode} but did not return more information: {body.Trim()}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{target}\": context deadline exceeded");
        }
        catch (HttpRequestException e)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{target}\": {e.InnerException?.Message ?? e.Message}");
        }
        catch (FormatException e)
        {
            throw new WebhookCallException($"failed to call webhook: clientConfig.caBundle is not base64 PEM: {e.Message}");
        }

        JsonObject? response;
        try
        {
            response = JsonNode.Parse(body)?["response"] as JsonObject;
        }
        catch (JsonException e)
        {
            throw new WebhookCallException($"received invalid webhook response: {e.Message}");
        }

        if (response is null)
        {
            throw new WebhookCallException("received invalid webhook response: the AdmissionReview has no response");
        }

        if ((string?)response["uid"] != uid)
        {
            throw new WebhookCallException($"received invalid webhook response: expected response.uid=\"{uid}\", got \"{(string?)response["uid"]}\"");
        }

        return response;
    }

    /// <summary>One pooled client per caBundle: the server's chain must end in one of its certificates, and its name match the URL's host.</summary>
    private HttpClient ClientFor(string? caBundle) => _clients.GetOrAdd(caBundle ?? "", bundle =>
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (bundle.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(bundle)));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    });
}

/// <summary>A webhook that could not be called or answered nonsense: its failurePolicy decides.</summary>
internal sealed class WebhookCallException(string message) : Exception(message);
