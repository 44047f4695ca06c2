using System.Text;
using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
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
    public async Task A_missing_blob_secret_is_reported_once_and_the_gang_is_still_created()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);

        await scenario.ApplyAsync(OnBlobStorage);

        await scenario.WaitForPodsAsync("pretrain", 2);
        await Task.Delay(600); // several failed reads
        var warnings = (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.Where(e => e.Reason == "ProgressUnavailable").ToList();
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
