using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Rendering;

/// <summary>Least privilege of every pod the operator creates: the trainer's and the averaging pod.</summary>
public class TrainerPodTemplateTests
{
    private const string BlobSecret = "blob-creds";

    /// <summary>A pretrain -> anneal (averaged) job checkpointing to blob storage with its credential in a Secret.</summary>
    private static (LlamaTrainingJob Job, ResolvedJob Resolved) BlobJob(string? secretKey)
    {
        var anneal = TestJobs.Stage("anneal", StageType.Anneal, 1, 1, 1, 2, 256, 2048);
        anneal.Averaging = new AveragingSpec { Checkpoints = 3 };
        var job = TestJobs.Job("tiny", 1, TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 2, 256, 2048), anneal);
        job.Spec.Checkpoint.Storage = new CheckpointStorageSpec
        {
            AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://acct.blob.core.windows.net", Container = "ckpt", SecretRef = new SecretReference { Name = BlobSecret, Key = secretKey } },
        };
        return (job, JobResolver.Resolve(job));
    }

    /// <summary>Every pod of the job: each stage's gang and the averaging pod.</summary>
    private static List<V1Pod> AllPods(LlamaTrainingJob job, ResolvedJob resolved)
    {
        var plans = StagePlanner.PlanAll(resolved);
        var pods = plans.SelectMany(plan => StageRenderer.Render(job, resolved, plan).Pods).ToList();
        var anneal = plans[^1];
        pods.Add(AveragingPodRenderer.Render(job, resolved, anneal, AveragingStep.Command(resolved.Stages[^1])).Pod);
        return pods;
    }

    [Fact]
    public void No_pod_mounts_a_service_account_token()
    {
        var (job, resolved) = BlobJob(null);

        var pods = AllPods(job, resolved);

        Assert.Equal(5, pods.Count); // 2 pods a stage and the averaging pod
        Assert.All(pods, pod => Assert.False(pod.Spec.AutomountServiceAccountToken));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sasToken")]
    public void No_pod_carries_a_literal_blob_credential_only_the_secret_reference(string? secretKey)
    {
        var (job, resolved) = BlobJob(secretKey);

        var pods = AllPods(job, resolved);

        var env = pods.SelectMany(pod => pod.Spec.Containers.SelectMany(c => c.Env)).ToList();
        var credentials = env.Where(e => e.Name.StartsWith("AZURE_STORAGE_", StringComparison.Ordinal)).ToList();
        Assert.Equal(pods.Count, credentials.Count); // one per pod
        Assert.All(credentials, e =>
        {
            Assert.Null(e.Value);
            Assert.Equal(BlobSecret, e.ValueFrom.SecretKeyRef.Name);
        });
        Assert.All(env.Where(e => e.ValueFrom?.SecretKeyRef is not null), e => Assert.Null(e.Value));
    }
}
