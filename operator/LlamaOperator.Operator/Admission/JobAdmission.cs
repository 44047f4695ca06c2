using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Runtime.Webhooks;

namespace LlamaOperator.Operator.Admission;

/// <summary>
/// The validating admission webhook of LlamaTrainingJobs: refuses at apply time what the operator would refuse in
/// status (condition SpecRejected), with every problem and its field path. Both decide with
/// <see cref="SpecReview.Problems"/>: the validator's rules, and for an edit of a running job (UPDATE) removing the
/// running stage. Validation warnings become the response's warnings (kubectl prints them).
/// </summary>
public static class JobAdmission
{
    /// <summary>The path the operator serves it at; the chart's ValidatingWebhookConfiguration points here.</summary>
    public const string Path = "/validate-llamatrainingjob";

    public static AdmissionVerdict Review(AdmissionRequest request)
    {
        if (request.Operation is not ("CREATE" or "UPDATE") || request.Object is null)
        {
            return AdmissionVerdict.Allow();
        }

        if (request.Operation == "UPDATE" && (request.Object["metadata"]?["deletionTimestamp"] is not null || SameSpec(request.Object, request.OldObject)))
        {
            return AdmissionVerdict.Allow(); // metadata edits (labels, finalizers) and a job being deleted are not spec edits
        }

        LlamaTrainingJob job;
        StageStatus? running;
        try
        {
            job = ApiJson.Deserialize<LlamaTrainingJob>(request.Object.ToJsonString()) ?? throw new JsonException("null");
            var old = request.OldObject is null ? null : ApiJson.Deserialize<LlamaTrainingJob>(request.OldObject.ToJsonString());
            running = request.Operation == "UPDATE" ? old?.Status?.Stage : null;
        }
        catch (JsonException e)
        {
            return AdmissionVerdict.Deny(400, "BadRequest", $"the object is not a LlamaTrainingJob: {e.Message}");
        }

        var problems = SpecReview.Problems(job, running);
        var warnings = problems.Where(p => p.Severity == Severity.Warning).Select(p => $"{p.Path}: {p.Message}").ToList();
        var errors = problems.Where(p => p.Severity == Severity.Error).ToList();
        if (errors.Count == 0)
        {
            return AdmissionVerdict.Allow(warnings);
        }

        var name = request.Name ?? job.Metadata?.Name ?? "";
        var message = $"{ApiGroup.Kind}.{ApiGroup.Group} \"{name}\" is invalid: [{string.Join(", ", errors.Select(e => $"{e.Path}: {e.Message}"))}]";
        return AdmissionVerdict.Deny(422, "Invalid", message, errors.Select(e => new AdmissionCause(e.Path, e.Message)).ToList(), warnings);
    }

    private static bool SameSpec(JsonObject updated, JsonObject? old) =>
        old is not null && JsonNode.DeepEquals(updated["spec"], old["spec"]);
}
