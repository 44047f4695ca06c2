using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.DevCluster;
using LlamaOperator.DevCluster.Audit;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Reconciling;
using LlamaOperator.Runtime.LeaderElection;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Progress;

namespace LlamaOperator.Chart.Tests;

/// <summary>
/// The chart's RBAC against what the operator really asks the API server for: the operator runs as the chart's
/// ServiceAccount in the audited dev cluster, as the chart configures it (all namespaces, leader election in the
/// release namespace; or one watched namespace), through a job's whole life (children, stage transition, gang
/// restart, failure, TTL deletion) with each gang scheduler, and a job whose blob credential is a Secret. Every
/// request must be allowed, and every permission used.
/// </summary>
public class OperatorRbacTests(ChartRenders renders) : IClassFixture<ChartRenders>
{
    private const string User = "system:serviceaccount:ops:rel-llama-operator";

    /// <summary>
    /// What the chart grants that this run may not exercise, each for a reason; anything else unused fails the test
    /// (remove it from the chart), and anything the operator starts to use must be granted.
    /// </summary>
    private static readonly string[] MayBeUnused =
    [
        // Children carry ownerReferences with blockOwnerDeletion: the OwnerReferencesPermissionEnforcement admission
        // plugin checks this permission; it is never a request of its own.
        "update llamaoperator.dev/llamatrainingjobs/finalizers",
        // Force-deleting one pod (grace 0) happens only for pods of a lost node.
        "delete core/pods",
        // Read again only when a status update conflicts (409), which a run may or may not hit.
        "get llamaoperator.dev/llamatrainingjobs",
        // Event counts are patched only when the same event repeats within the aggregation window.
        "patch core/events",
        // A stage's Service, ConfigMap and PodGroup are updated only to repair an edit someone else made.
        "update core/services",
        "update core/configmaps",
        "update scheduling.x-k8s.io/podgroups",
        "update scheduling.volcano.sh/podgroups",
    ];

    /// <param name="watchNamespace">The chart's watchNamespace value: null renders a ClusterRole, "ml" a Role there.</param>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(null)]
    [InlineData("ml")]
    public async Task The_operator_as_installed_by_the_chart_is_allowed_everything_it_does_and_nothing_more(string? watchNamespace)
    {
        var chart = watchNamespace is null ? renders.Default : RenderedChart.Parse(await HelmCli.TemplateAsync("--set", $"watchNamespace={watchNamespace}"));
        var audit = new AuditLog();
        await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions
        {
            Audit = audit.Record,
            EnableKubelet = false,
            EnableScheduler = false,
            CrdDirectory = Path.Combine(HelmCli.RepoRootPath, "crds"),
        });
        using var admin = cluster.CreateClient();
        using var asOperator = new Kubernetes(new KubernetesClientConfiguration { Host = cluster.BaseUrl.ToString(), AccessToken = User });
        foreach (var ns in new[] { "ops", "ml" })
        {
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }
        using var checkpointsA = new TempFolder();
        using var checkpointsB = new TempFolder();

        // The operator runs with the flags the chart passes it.
        var args = Assert.Single(chart.Single<V1Deployment>().Spec.Template.Spec.Containers).Args;
        Assert.Contains("--leader-election-namespace=ops", args);
        Assert.Contains("--leader-election-id=llama-operator", args);
        Assert.Equal(watchNamespace is null ? [] : [$"--namespace={watchNamespace}"], args.Where(a => a.StartsWith("--namespace", StringComparison.Ordinal)));
        var options = new OperatorOptions
        {
            Namespace = watchNamespace,
            Workers = 2,
            LeaderElection = new LeaderElectionOptions { LeaseNamespace = "ops", LeaseName = "llama-operator", LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(3), RetryPeriod = TimeSpan.FromMilliseconds(500) },
            MetricsRegistry = Prometheus.Metrics.NewCustomRegistry(),
            Reconciler = new ReconcilerSettings { ProgressPollInterval = TimeSpan.FromMilliseconds(200), StorageRetry = TimeSpan.FromMilliseconds(300) },
        };
        using var stop = new CancellationTokenSource();
        var host = new OperatorHost(asOperator, options, Serilog.Core.Logger.None);
        var running = Task.Run(() => host.RunAsync(stop.Token));
        try
        {
            // Two jobs through a stage transition (the finished stage's objects deleted), one per gang scheduler.
            await CreateJobAsync(admin, Job("a", GangScheduler.Coscheduling, new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = checkpointsA.Path } }));
            await CreateJobAsync(admin, Job("b", GangScheduler.Volcano, new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = checkpointsB.Path } }));
            // A job whose blob credential is a Secret (the blob endpoint is unreachable: only the Secret read matters).
            await admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "blob" }, Data = new Dictionary<string, byte[]> { ["connectionString"] = Encoding.UTF8.GetBytes("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Zm9v;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;") } }, "ml");
            await CreateJobAsync(admin, Job("c", GangScheduler.Coscheduling, new CheckpointStorageSpec { AzureBlob = new AzureBlobStorageSpec { AccountUrl = "http://127.0.0.1:9/devstoreaccount1", Container = "ckpt", SecretRef = new SecretReference { Name = "blob" } } }));

            await FinishPretrainAsync(admin, "a", checkpointsA.Path);
            await FinishPretrainAsync(admin, "b", checkpointsB.Path);

            // Job a's anneal gang fails twice: one gang restart, then the job fails and its TTL deletes it.
            var first = await PodsAsync(admin, "a", "anneal", 1);
            await SetPodsAsync(admin, first, "Running");
            await SetPodsAsync(admin, first, "Failed", exitCode: 1);
            var second = await PodsAsync(admin, "a", "anneal", 1, except: first);
            await SetPodsAsync(admin, second, "Running");
            await SetPodsAsync(admin, second, "Failed", exitCode: 1);
            await Eventually(async () => !await JobExistsAsync(admin, "a"), "job a deleted after failing (ttlSecondsAfterFinished 0)");
            await Eventually(() => Task.FromResult(audit.ByUser(User).Any(r => r.Resource == "secrets" && r.Verb == "get")), "the blob Secret read");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        var report = RbacCheck.Check(ChartRbac.GrantedTo(chart, "ops", "rel-llama-operator"), audit.ByUser(User));
        Assert.True(report.Denied.Count == 0, "the chart does not allow requests the operator made:\n" + report.Describe());
        var unexplained = report.Unused.Where(u => !MayBeUnused.Contains($"{u.Verb} {(u.ApiGroup.Length == 0 ? "core" : u.ApiGroup)}/{u.Resource}")).ToList();
        Assert.True(unexplained.Count == 0, "the chart grants permissions the operator did not use:\n  " + string.Join("\n  ", unexplained) + "\n" + report.Describe());
    }

    private static LlamaTrainingJob Job(string name, GangScheduler gang, CheckpointStorageSpec storage) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "ml" },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = "tiny" },
            Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 1 }] },
            Cluster = new ClusterSpec { GpusPerNode = 1, GpuMemoryGiB = 80, Image = "llama-trainer:test", Scheduling = new SchedulingSpec { Gang = gang } },
            Checkpoint = new CheckpointSpec { Storage = storage },
            FailurePolicy = new FailurePolicySpec { MaxRestarts = 1, BackoffSeconds = 1, MaxBackoffSeconds = 1, HangTimeoutSeconds = 3600 },
            TtlSecondsAfterFinished = 0,
            Stages =
            [
                new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 1_000_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 2 } },
                new StageSpec { Name = "anneal", Type = StageType.Anneal, Tokens = 100_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 1 } },
            ],
        },
    };

    private static Task<object> CreateJobAsync(Kubernetes client, LlamaTrainingJob job) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(ApiJson.Serialize(job))!, ApiGroup.Group, ApiGroup.Version, "ml", ApiGroup.Plural);

    private static async Task<bool> JobExistsAsync(Kubernetes client, string name)
    {
        try
        {
            await client.CustomObjects.GetNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, "ml", ApiGroup.Plural, name);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Runs a job's pretrain gang, commits its stage-end checkpoint as the trainer would, exits the pods 0.</summary>
    private static async Task FinishPretrainAsync(Kubernetes client, string job, string checkpointFolder)
    {
        var pods = await PodsAsync(client, job, "pretrain", 2);
        await SetPodsAsync(client, pods, "Running");
        await new CheckpointStore(new LocalFolderStore(checkpointFolder)).CommitAsync(
            new CheckpointManifest { Stage = "pretrain", StageIndex = 0, Step = 488, Tokens = 488 * 2048, StageTokens = 488 * 2048, SequenceLength = 256, StageEnd = true, Metrics = new TrainingMetrics(2.5, 3e-4, 1.2e6) },
            [new CheckpointShard("model.bin", (stream, ct) => stream.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask())]);
        await SetPodsAsync(client, pods, "Succeeded", exitCode: 0);
    }

    private static async Task<IReadOnlyList<V1Pod>> PodsAsync(Kubernetes client, string job, string stage, int count, IReadOnlyList<V1Pod>? except = null)
    {
        List<V1Pod> pods = [];
        var old = (except ?? []).Select(p => p.Metadata.Uid).ToHashSet();
        await Eventually(
            async () =>
            {
                pods = (await client.CoreV1.ListNamespacedPodAsync("ml", labelSelector: $"{TrainerLabels.Job}={job},{TrainerLabels.Stage}={stage}")).Items
                    .Where(p => p.Metadata.DeletionTimestamp is null && !old.Contains(p.Metadata.Uid)).ToList();
                return pods.Count == count;
            },
            $"{count} new pods of job {job}, stage {stage}");
        return pods;
    }

    /// <summary>Plays the kubelet: the pod phase and the trainer container's state through the status subresource.</summary>
    private static async Task SetPodsAsync(Kubernetes client, IEnumerable<V1Pod> pods, string phase, int? exitCode = null)
    {
        foreach (var pod in pods)
        {
            var state = exitCode is { } code
                ? new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = code == 0 ? "Completed" : "Error" } }
                : new JsonObject { ["running"] = new JsonObject() };
            var status = new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["phase"] = phase,
                    ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = TrainerPodTemplate.ContainerName, ["ready"] = exitCode is null, ["restartCount"] = 0, ["image"] = "llama-trainer:test", ["imageID"] = "", ["state"] = state }),
                },
            };
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), pod.Metadata.Name, "ml");
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
