using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using LlamaTrainer.Storage;

namespace LlamaOperator.Operator.Progress;

/// <summary>
/// Reads the blob credential a job's spec.checkpoint.storage.azureBlob.secretRef names, from the job's namespace.
/// Without a secretRef the storage layer uses the operator's environment, then workload identity.
/// </summary>
public sealed class BlobCredentialReader(IKubernetes client)
{
    public async Task<BlobCredentials?> ReadAsync(string @namespace, CheckpointLocation location, CancellationToken cancellationToken)
    {
        if (location.SecretName is null)
        {
            return null;
        }

        var key = location.SecretKey ?? "connectionString";
        k8s.Models.V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(location.SecretName, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException($"spec.checkpoint.storage.azureBlob.secretRef: Secret {@namespace}/{location.SecretName} does not exist", e);
        }

        if (secret.Data?.TryGetValue(key, out var bytes) != true || bytes is null || bytes.Length == 0)
        {
            throw new InvalidOperationException($"spec.checkpoint.storage.azureBlob.secretRef: Secret {@namespace}/{location.SecretName} has no key '{key}' (expected connectionString or sasToken)");
        }

        var value = Encoding.UTF8.GetString(bytes).Trim();
        return key == "sasToken" ? new BlobCredentials { SasToken = value } : new BlobCredentials { ConnectionString = value };
    }
}
