using k8s.Models;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Rendering;

/// <summary>The job as controller owner of its objects, so that deleting the job deletes the gang.</summary>
public sealed record JobOwner(string Name, string? Uid)
{
    public static JobOwner Of(LlamaTrainingJob job) => new(job.Metadata.Name ?? "", job.Metadata.Uid);

    /// <summary>A new list per object. A job read from a file has no uid yet (the API server assigns it): then no owner.</summary>
    public List<V1OwnerReference>? References() =>
        string.IsNullOrEmpty(Uid)
            ? null
            : [new V1OwnerReference { ApiVersion = ApiGroup.ApiVersion, Kind = ApiGroup.Kind, Name = Name, Uid = Uid, BlockOwnerDeletion = true, Controller = true }];
}
