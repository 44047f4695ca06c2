namespace LlamaOperator.Api;

/// <summary>
/// The environment variables that carry a blob credential into a trainer pod (the trainer's storage reads them). The
/// operator sets them only from the job's Secret by reference, and the validator refuses them as literal values in
/// spec.cluster.env: a pod spec is readable by whoever may read pods, a Secret is not.
/// </summary>
public static class BlobCredentialVariables
{
    public const string ConnectionString = "AZURE_STORAGE_CONNECTION_STRING";
    public const string SasToken = "AZURE_STORAGE_SAS_TOKEN";

    public static IReadOnlyList<string> All { get; } = [ConnectionString, SasToken];
}
