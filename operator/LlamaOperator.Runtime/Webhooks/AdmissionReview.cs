using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlamaOperator.Runtime.Webhooks;

/// <summary>The part of an admission.k8s.io/v1 AdmissionReview request a validating webhook reads.</summary>
/// <param name="Operation">CREATE, UPDATE, DELETE or CONNECT.</param>
/// <param name="Object">The object as it would be stored (after defaulting and schema validation); null for DELETE.</param>
/// <param name="OldObject">The stored object an UPDATE replaces (or a DELETE removes); null for CREATE.</param>
/// <param name="Group">The API group of the object's kind (request.kind.group), "" for the core group.</param>
/// <param name="Kind">The object's kind (request.kind.kind), e.g. LlamaTrainingJob.</param>
public sealed record AdmissionRequest(string Uid, string Operation, string? Namespace, string? Name, JsonObject? Object, JsonObject? OldObject, string? UserName, bool DryRun, string Group = "", string Kind = "");

/// <summary>One problem of a refused object: its field path and what is wrong (a metav1.StatusCause).</summary>
public sealed record AdmissionCause(string Field, string Message);

/// <summary>A webhook's answer. A refusal becomes the response's status (a metav1.Status with code, reason, message and causes).</summary>
public sealed record AdmissionVerdict(bool Allowed, int Code, string Reason, string Message, IReadOnlyList<AdmissionCause> Causes, IReadOnlyList<string> Warnings)
{
    public static AdmissionVerdict Allow(IReadOnlyList<string>? warnings = null) => new(true, 200, "", "", [], warnings ?? []);

    public static AdmissionVerdict Deny(int code, string reason, string message, IReadOnlyList<AdmissionCause>? causes = null, IReadOnlyList<string>? warnings = null) =>
        new(false, code, reason, message, causes ?? [], warnings ?? []);
}

/// <summary>A body that is no admission.k8s.io/v1 AdmissionReview with a request: the webhook answers 400.</summary>
public sealed class MalformedAdmissionReviewException(string message) : Exception(message);

/// <summary>
/// Reads an admission.k8s.io/v1 AdmissionReview and writes the review with its response, as the API server expects:
/// the request's uid echoed, allowed, a refusal's status (code, reason, message, details.causes) and warnings.
/// </summary>
public static class AdmissionReview
{
    public const string ApiVersion = "admission.k8s.io/v1";

    public static AdmissionRequest Parse(string body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new MalformedAdmissionReviewException($"the body is not JSON: {e.Message}");
        }

        if (root is not JsonObject review)
        {
            throw new MalformedAdmissionReviewException("the body is not a JSON object");
        }

        if (Text(review, "apiVersion") != ApiVersion || Text(review, "kind") != "AdmissionReview")
        {
            throw new MalformedAdmissionReviewException($"expected apiVersion {ApiVersion} and kind AdmissionReview, got {Text(review, "apiVersion") ?? "none"} and {Text(review, "kind") ?? "none"}");
        }

        if (review["request"] is not JsonObject request)
        {
            throw new MalformedAdmissionReviewException("the AdmissionReview has no request");
        }

        var uid = Text(request, "uid") is { Length: > 0 } u ? u : throw new MalformedAdmissionReviewException("request.uid is missing");
        var operation = Text(request, "operation") is { Length: > 0 } o ? o : throw new MalformedAdmissionReviewException("request.operation is missing");
        return new AdmissionRequest(
            uid,
            operation,
            Text(request, "namespace"),
            Text(request, "name"),
            ObjectAt(request, "object"),
            ObjectAt(request, "oldObject"),
            request["userInfo"] is JsonObject user ? Text(user, "username") : null,
            request["dryRun"] is JsonValue dry && dry.TryGetValue<bool>(out var isDry) && isDry,
            request["kind"] is JsonObject gvk ? Text(gvk, "group") ?? "" : "",
            request["kind"] is JsonObject gvk2 ? Text(gvk2, "kind") ?? "" : "");
    }

    public static JsonObject Response(AdmissionRequest request, AdmissionVerdict verdict)
    {
        var response = new JsonObject { ["uid"] = request.Uid, ["allowed"] = verdict.Allowed };
        if (!verdict.Allowed)
        {
            var details = new JsonObject();
            // name, group and kind let kubectl print a refusal with causes as `The KIND "NAME" is invalid:` and a line per cause.
            if (request.Name is { Length: > 0 } name)
            {
                details["name"] = name;
            }

            if (request.Group.Length > 0)
            {
                details["group"] = request.Group;
            }

            if (request.Kind.Length > 0)
            {
                details["kind"] = request.Kind;
            }

            if (verdict.Causes.Count > 0)
            {
                details["causes"] = new JsonArray(verdict.Causes
                    .Select(c => (JsonNode)new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = c.Message, ["field"] = c.Field })
                    .ToArray());
            }

            response["status"] = new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = verdict.Message,
                ["reason"] = verdict.Reason,
                ["details"] = details,
                ["code"] = verdict.Code,
            };
        }

        if (verdict.Warnings.Count > 0)
        {
            response["warnings"] = new JsonArray(verdict.Warnings.Select(w => (JsonNode)w).ToArray());
        }

        return new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["response"] = response };
    }

    /// <summary>
    /// Serves one POSTed review: 200 with the response review, or 400 with the reason when the body is malformed (the
    /// API server then applies the webhook's failurePolicy).
    /// </summary>
    public static (int StatusCode, string Body, AdmissionRequest? Request, AdmissionVerdict? Verdict) Handle(string body, Func<AdmissionRequest, AdmissionVerdict> review)
    {
        AdmissionRequest request;
        try
        {
            request = Parse(body);
        }
        catch (MalformedAdmissionReviewException e)
        {
            return (400, e.Message, null, null);
        }

        var verdict = review(request);
        return (200, Response(request, verdict).ToJsonString(), request, verdict);
    }

    private static string? Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonObject? ObjectAt(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonObject obj => obj,
        _ => throw new MalformedAdmissionReviewException($"request.{key} is not an object"),
    };
}
