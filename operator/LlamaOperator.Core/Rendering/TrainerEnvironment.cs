using System.Globalization;
using k8s.Models;
using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// The trainer container's environment: torchrun-style rendezvous variables, the gang's generation (status.gangGeneration:
/// it differs after every restart, so a rendezvous can tell a new gang from a stale one), the pod's own IP (POD_IP,
/// downward API: the address to listen on and to give peers), the stage's 4D degrees, the checkpoint location, the
/// collective timeout, where to write the termination message (the container's terminationMessagePath), NCCL settings
/// and the user's extra variables. RANK is a process's global rank, never
/// the node index: it (and LOCAL_RANK) is set here only when a pod runs one process (gpusPerNode == 1);
/// otherwise the trainer's launcher derives them per process as NODE_RANK * NPROC_PER_NODE + local rank.
/// Blob credentials come from the job's Secret by reference (never copied into the pod spec).
/// </summary>
public sealed class TrainerEnvironment
{
    private readonly (string Name, string Value)[] _rendezvous;
    private readonly (string Name, string Value)[] _stage;
    private readonly IReadOnlyList<V1EnvVar> _user;
    private readonly ResolvedAzureBlob? _blobSecret;
    private readonly bool _oneProcessPerPod;

    public TrainerEnvironment(ResolvedJob job, StagePlan plan, StageNames names, long gangGeneration = 0)
    {
        var cluster = job.Cluster;
        var layout = plan.Layout;
        _oneProcessPerPod = layout.GpusPerNode == 1;
        _rendezvous =
        [
            ("MASTER_ADDR", names.PodDns(0)),
            ("MASTER_PORT", Text(cluster.MasterPort)),
            ("WORLD_SIZE", Text(layout.WorldSize)),
            ("NNODES", Text(layout.Nodes)),
            ("LLAMA_GANG_GENERATION", Text(gangGeneration)),
        ];

        var stage = new List<(string, string)>
        {
            ("NPROC_PER_NODE", Text(layout.GpusPerNode)),
            ("LLAMA_STAGE", plan.StageName),
            ("LLAMA_TP", Text(layout.Tp)),
            ("LLAMA_CP", Text(layout.Cp)),
            ("LLAMA_PP", Text(layout.Pp)),
            ("LLAMA_DP", Text(layout.Dp)),
            ("LLAMA_CHECKPOINT_URI", CheckpointUri(job.Checkpoint)),
            ("LLAMA_COLLECTIVE_TIMEOUT_SECONDS", Text(job.FailurePolicy.CollectiveTimeoutSeconds)),
            (TrainerTerminationMessage.PathVariable, TrainerTerminationMessage.DefaultPath),
        };
        var nccl = cluster.Nccl;
        AddIfSet(stage, "NCCL_SOCKET_IFNAME", nccl.SocketInterface);
        AddIfSet(stage, "NCCL_IB_HCA", nccl.IbHca);
        AddIfSet(stage, "NCCL_DEBUG", nccl.Debug);
        foreach (var (name, value) in nccl.ExtraEnv.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            stage.Add((name, value));
        }

        _stage = [.. stage];
        _user = cluster.Env;
        _blobSecret = job.Checkpoint.AzureBlob is { SecretName: not null } blob ? blob : null;
    }

    /// <summary>Where the stage's checkpoints live: the blob URL with its prefix, or the local path.</summary>
    public static string CheckpointUri(ResolvedCheckpoint checkpoint) =>
        checkpoint.AzureBlob is { } blob
            ? blob.Location
            : checkpoint.LocalPath ?? throw new ArgumentException("a resolved checkpoint has azureBlob or a local path", nameof(checkpoint));

    public List<V1EnvVar> ForNode(long nodeRank)
    {
        var env = new List<V1EnvVar>(_rendezvous.Length + _stage.Length + _user.Count + 4);
        foreach (var (name, value) in _rendezvous)
        {
            env.Add(new V1EnvVar { Name = name, Value = value });
        }

        env.Add(new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } });
        env.Add(new V1EnvVar { Name = "NODE_RANK", Value = Text(nodeRank) });
        if (_oneProcessPerPod)
        {
            env.Add(new V1EnvVar { Name = "RANK", Value = Text(nodeRank) });
            env.Add(new V1EnvVar { Name = "LOCAL_RANK", Value = "0" });
        }

        foreach (var (name, value) in _stage)
        {
            env.Add(new V1EnvVar { Name = name, Value = value });
        }

        if (_blobSecret is not null)
        {
            env.Add(BlobCredential(_blobSecret));
        }

        // The user's variables come last so that they can override ours (Kubernetes keeps the last duplicate).
        foreach (var user in _user)
        {
            env.Add(new V1EnvVar { Name = user.Name, Value = user.Value, ValueFrom = user.ValueFrom });
        }

        return env;
    }

    /// <summary>The trainer's blob store reads a SAS token or a connection string from these variables.</summary>
    private static V1EnvVar BlobCredential(ResolvedAzureBlob blob) => new()
    {
        Name = blob.SecretKey == "sasToken" ? BlobCredentialVariables.SasToken : BlobCredentialVariables.ConnectionString,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = blob.SecretName, Key = blob.SecretKey } },
    };

    private static void AddIfSet(List<(string, string)> env, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            env.Add((name, value));
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
