using System.ComponentModel;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LlamaOperator.Api.V1Alpha1;

/// <summary>A Llama-3-style multi-stage pretraining job: the operator turns it into a gang of trainer pods per stage.</summary>
[Description("LlamaTrainingJob runs a Llama 3 style pretraining recipe (pretrain, long-context extension, annealing) as a gang of GPU pods with a 4D parallel layout per stage.")]
[KubernetesEntity(Group = ApiGroup.Group, ApiVersion = ApiGroup.Version, Kind = ApiGroup.Kind, PluralName = ApiGroup.Plural)]
public sealed class LlamaTrainingJob : IKubernetesObject<V1ObjectMeta>, ISpec<LlamaTrainingJobSpec>, IStatus<LlamaTrainingJobStatus?>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ApiGroup.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public LlamaTrainingJobSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public LlamaTrainingJobStatus? Status { get; set; }
}

/// <summary>A list of jobs, as the API server returns it.</summary>
public sealed class LlamaTrainingJobList : IKubernetesObject<V1ListMeta>, IItems<LlamaTrainingJob>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ApiGroup.Kind + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<LlamaTrainingJob> Items { get; set; } = [];
}

/// <summary>Names of the API group, kind and resource, in one place.</summary>
public static class ApiGroup
{
    public const string Group = "llamaoperator.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "LlamaTrainingJob";
    public const string Plural = "llamatrainingjobs";
    public const string Singular = "llamatrainingjob";
    public const string ShortName = "ltj";
}
