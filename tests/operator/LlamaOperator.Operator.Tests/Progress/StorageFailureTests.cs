using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Progress;

/// <summary>Checkpoint storage the operator cannot read is reported and retried; the job's gang is still managed.</summary>
public sealed class StorageFailureTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static void OnBlobStorage(LlamaTrainingJob job) => job.Spec.Checkpoint.Storage = new CheckpointStorageSpec
    {
        // Nothing listens on port 1: every blob request is refused.
        AzureBlob = new AzureBlobStorageSpec { AccountUrl = "http://127.0.0.1:1/devstoreaccount1", Container = "ckpt", SecretRef = new SecretReference { Name = "blob-credentials" } },
    };

    [Fact]
    public async Task A_store_that_never_answers_does_not_delay_another_jobs_reconcile()
    {
        // A listener that takes connections (the kernel completes them) and never answers: every blob request hangs.
        var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start();
        try
        {
            await using var scenario = await JobScenario.CreateAsync(fixture);
            var port = ((IPEndPoint)hanging.LocalEndpoint).Port;
            await scenario.Client.CoreV1.CreateNamespacedSecretAsync(
                new V1Secret
                {
                    Metadata = new V1ObjectMeta { Name = "blob-credentials" },
                    Data = new Dictionary<string, byte[]> { ["connectionString"] = Encoding.UTF8.GetBytes($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1") },
                },
                scenario.Namespace);
            // One worker, and a storage timeout far beyond the test's patience: a read on the worker would hold every other job.
            scenario.StartOperator(output, RunningOperator.Options(scenario.Namespace) with
            {
                Workers = 1,
                Reconciler = RunningOperator.Options(scenario.Namespace).Reconciler with { StorageTimeout = TimeSpan.FromSeconds(60) },
            });
            await scenario.ApplyAsync(job =>
            {
                OnBlobStorage(job);
                job.Spec.Checkpoint.Storage.AzureBlob!.AccountUrl = $"http://127.0.0.1:{port}/devstoreaccount1";
            });
            await Eventually.HoldsAsync(hanging.Pending, "the hanging job's first read under way (a connection waiting)");

            using var other = new TempFolder();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await TestJobs.CreateAsync(scenario.Client, TestJobs.ThreeStages(scenario.Namespace, other.Path, name: "other"));
            await Eventually.HoldsAsync(
                async () => (await scenario.Client.CoreV1.ListNamespacedPodAsync(scenario.Namespace, labelSelector: $"{TrainerLabels.Job}=other")).Items.Count == 2,
                "the other job's gang",
                seconds: 30);

            output.WriteLine($"the other job's gang was created {clock.Elapsed.TotalSeconds:F2} s after it was applied, while the first job's store hangs");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed.TotalSeconds:F1} s (a reconcile waiting on the hanging read would take 60 s)");
            Assert.Empty((await scenario.Client.CoreV1.ListNamespacedPodAsync(scenario.Namespace, labelSelector: $"{TrainerLabels.Job}=tiny")).Items); // still waiting on its store
        }
        finally
        {
            hanging.Stop();
        }
    }

    [Fact]
    public async Task A_missing_blob_secret_is_reported_once_and_the_gang_is_still_created()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);

        await scenario.ApplyAsync(OnBlobStorage);

        await scenario.WaitForPodsAsync("pretrain", 2);
        async Task<List<Corev1Event>> WarningsAsync() => [.. (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.Where(e => e.Reason == "ProgressUnavailable")];
        await Eventually.HoldsAsync(async () => (await WarningsAsync()).Count > 0, "a ProgressUnavailable event"); // events are written in the background
        await Task.Delay(600); // several more failed reads
        var warnings = await WarningsAsync();
        var warning = Assert.Single(warnings);
        Assert.Contains("Secret", warning.Message);
        Assert.Contains("blob-credentials", warning.Message);
        Assert.Equal(1, warning.Count);
        Assert.False(scenario.Operator!.Finished);
    }

    [Fact]
    public async Task The_pods_get_the_secret_by_reference_and_the_operator_reads_it_from_the_job_namespace()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "blob-credentials" },
                Data = new Dictionary<string, byte[]> { ["connectionString"] = Encoding.UTF8.GetBytes("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1") },
            },
            scenario.Namespace);
        scenario.StartOperator(output);

        await scenario.ApplyAsync(OnBlobStorage);

        await scenario.WaitForPodsAsync("pretrain", 2);
        var env = (await scenario.PodsAsync())[0].Spec.Containers[0].Env;
        Assert.Equal("blob-credentials", env.Single(e => e.Name == "AZURE_STORAGE_CONNECTION_STRING").ValueFrom.SecretKeyRef.Name);
        Assert.Equal("http://127.0.0.1:1/devstoreaccount1/ckpt/" + scenario.Namespace + "/tiny", env.Single(e => e.Name == "LLAMA_CHECKPOINT_URI").Value);
        // The secret was found; the storage itself refuses connections, which is what is reported now.
        await Eventually.HoldsAsync(
            async () => (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.Any(e => e.Reason == "ProgressUnavailable"),
            "a ProgressUnavailable event");
        var message = (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.First(e => e.Reason == "ProgressUnavailable").Message;
        Assert.DoesNotContain("Secret", message);
        Assert.DoesNotContain("a2V5", message); // the account key never reaches events
    }
}
