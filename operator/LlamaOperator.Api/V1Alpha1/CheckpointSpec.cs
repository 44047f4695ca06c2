using System.ComponentModel;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("Checkpoints: where they are stored, how often they are written and how many are kept.")]
public sealed class CheckpointSpec
{
    [Description("Checkpoint storage: exactly one of azureBlob or local.")]
    [RequiredField]
    public CheckpointStorageSpec Storage { get; set; } = new();

    [Description("Steps between checkpoints.")]
    [Minimum(1)]
    [DefaultValueJson("500")]
    public int? IntervalSteps { get; set; }

    [Description("How many committed checkpoints to keep (older ones are deleted after a newer one commits). Stage-end checkpoints are always kept.")]
    [Minimum(1)]
    [DefaultValueJson("3")]
    public int? Keep { get; set; }
}

[Description("Checkpoint storage: Azure Blob for clusters, a local folder for development.")]
public sealed class CheckpointStorageSpec
{
    [Description("Azure Blob Storage container.")]
    public AzureBlobStorageSpec? AzureBlob { get; set; }

    [Description("Local folder (development and local mode).")]
    public LocalStorageSpec? Local { get; set; }
}

[Description("An Azure Blob Storage container and prefix.")]
public sealed class AzureBlobStorageSpec
{
    [Description("Account URL, for example https://myaccount.blob.core.windows.net.")]
    [RequiredField]
    [Pattern("^https?://")]
    public string AccountUrl { get; set; } = "";

    [Description("Container name.")]
    [RequiredField]
    public string Container { get; set; } = "";

    [Description("Blob name prefix under which the job's checkpoints live; defaults to <namespace>/<job name>.")]
    public string? Prefix { get; set; }

    [Description("Secret holding the connection string (key connectionString) or SAS token (key sasToken). Omit to use workload identity.")]
    public SecretReference? SecretRef { get; set; }
}

[Description("A key of a Secret in the job's namespace.")]
public sealed class SecretReference
{
    [Description("Secret name.")]
    [RequiredField]
    public string Name { get; set; } = "";

    [Description("Key in the Secret.")]
    [DefaultValueJson("\"connectionString\"")]
    public string? Key { get; set; }
}

[Description("A local folder, shared by the operator and the trainer processes (local mode).")]
public sealed class LocalStorageSpec
{
    [Description("Absolute path, or a path relative to the manifest's folder.")]
    [RequiredField]
    public string Path { get; set; } = "";
}
