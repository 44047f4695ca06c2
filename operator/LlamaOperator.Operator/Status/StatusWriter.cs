using System.Text.Json.Nodes;
using k8s;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Actions;

namespace LlamaOperator.Operator.Status;

/// <summary>The outcome of a status write: the job as stored afterwards and whether a write happened.</summary>
public sealed record StatusWrite(LlamaTrainingJob Job, bool Written);

/// <summary>
/// Writes a decided status through the status subresource, and only when it differs from the stored one (compared
/// in the API's own JSON form), so a no-op reconcile writes nothing. The write is conditional on the job's
/// resourceVersion: on 409 Conflict (the job changed since it was observed) it throws, and the reconcile is retried
/// on a fresh observation; it never decides anything itself.
/// </summary>
public sealed class StatusWriter(IKubernetes client)
{
    public static bool Differs(LlamaTrainingJobStatus? stored, LlamaTrainingJobStatus decided) =>
        ApiJson.Serialize(stored) != ApiJson.Serialize(decided);

    /// <returns>Null when the job no longer exists.</returns>
    public async Task<StatusWrite?> WriteAsync(LlamaTrainingJob job, LlamaTrainingJobStatus status, CancellationToken cancellationToken)
    {
        if (!Differs(job.Status, status))
        {
            return new StatusWrite(job, false);
        }

        try
        {
            var stored = await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<LlamaTrainingJob>(
                Body(job, status), ApiGroup.Group, ApiGroup.Version, job.Metadata.NamespaceProperty, ApiGroup.Plural, job.Metadata.Name,
                cancellationToken: cancellationToken);
            return new StatusWrite(stored, true);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>The job as the API server has it now (null when gone): a read, never a write.</summary>
    public async Task<LlamaTrainingJob?> ReadAsync(LlamaTrainingJob job, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(
                ApiGroup.Group, ApiGroup.Version, job.Metadata.NamespaceProperty, ApiGroup.Plural, job.Metadata.Name, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Identity, the resourceVersion precondition and the status in the API's JSON form (RFC 3339 seconds, enums
    /// by name); the status subresource ignores everything else.
    /// </summary>
    private static JsonObject Body(LlamaTrainingJob job, LlamaTrainingJobStatus status) => new()
    {
        ["apiVersion"] = ApiGroup.ApiVersion,
        ["kind"] = ApiGroup.Kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = job.Metadata.Name,
            ["namespace"] = job.Metadata.NamespaceProperty,
            ["resourceVersion"] = job.Metadata.ResourceVersion,
        },
        ["status"] = JsonNode.Parse(ApiJson.Serialize(status)),
    };
}
