using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Admission;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Admission;

/// <summary>
/// The operator's webhook registered with the dev cluster, which calls it as kube-apiserver does: a job that breaks a
/// layout rule is refused at apply time with every problem and its field path (the refusal time is printed), a valid
/// one is created and started, and an edit of the running job that the operator would refuse is refused too.
/// </summary>
public class JobWebhookTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{

    private static LlamaTrainingJob Broken(string ns, string name)
    {
        var job = TestJobs.ThreeStages(ns, "/ckpt", name);
        job.Spec.Stages[0].Parallelism = new ParallelismSpec { Tp = 3, Dp = 2, Gpus = 4 }; // TP beyond a 1-GPU node, 4 heads by 3, 3*2 != 4
        return job;
    }

    [Fact]
    public async Task A_broken_layout_is_refused_at_apply_time_and_a_valid_job_is_created()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var client = fixture.Client();
        await using var op = new RunningOperator(client, RunningOperator.Options(ns) with { Webhook = new WebhookOptions { Address = "https://127.0.0.1:0" } }, output);
        var endpoint = await op.Host.WebhookStarted.WaitAsync(TimeSpan.FromSeconds(30));
        await client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(JobWebhookConfiguration.ForUrl("llama-operator-" + ns, endpoint.JobValidationUrl, endpoint.CaBundlePem!));
        try
        {
            var times = new List<double>();
            HttpOperationException? refusal = null;
            for (var i = 0; i < 5; i++)
            {
                var watch = Stopwatch.StartNew();
                refusal = await Assert.ThrowsAsync<HttpOperationException>(() => TestJobs.CreateAsync(client, Broken(ns, $"broken-{i}")));
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            output.WriteLine($"create of a broken job -> refusal (KubernetesClient through the dev cluster and the webhook): first {times[0]:F0} ms, then median {times.Skip(1).Order().ElementAt(2):F0} ms");
            Assert.True(times[0] < 5000, $"the first refusal took {times[0]:F0} ms");
            Assert.Equal((HttpStatusCode)422, refusal!.Response.StatusCode);
            var status = k8s.KubernetesJson.Deserialize<V1Status>(refusal.Response.Content);
            Assert.StartsWith("admission webhook \"validate.llamatrainingjobs.llamaoperator.dev\" denied the request: LlamaTrainingJob.llamaoperator.dev \"broken-4\" is invalid: [", status.Message, StringComparison.Ordinal);
            Assert.Contains("spec.stages[0].parallelism.tp: expected at most gpusPerNode (1)", status.Message, StringComparison.Ordinal);
            Assert.Contains("spec.stages[0].parallelism.gpus: expected tp*cp*pp*dp = 3*1*1*2 = 6 GPUs, found gpus 4", status.Message, StringComparison.Ordinal);
            Assert.Contains(status.Details.Causes, c => c.Field == "spec.stages[0].parallelism.tp");
            Assert.Equal(("LlamaTrainingJob", "llamaoperator.dev", "broken-4"), (status.Details.Kind, status.Details.Group, status.Details.Name));
            Assert.Empty((await client.CustomObjects.ListNamespacedCustomObjectAsync<LlamaTrainingJobList>(ApiGroup.Group, ApiGroup.Version, ns, ApiGroup.Plural)).Items);

            await TestJobs.CreateAsync(client, TestJobs.ThreeStages(ns, "/ckpt"));
            var running = await Eventually.GetAsync(() => TestJobs.GetAsync(client, ns), j => j.Status?.Stage is not null, "the valid job started");
            Assert.Equal("pretrain", running.Status!.Stage!.Name);

            // An edit the operator would refuse in status is refused at apply time: the running stage removed, a broken layout.
            var removal = await Assert.ThrowsAsync<HttpOperationException>(() => TestJobs.PatchSpecAsync(client, ns, """{"stages":[{"name":"anneal","type":"Anneal","tokens":100000,"sequenceLength":256,"batchTokens":2048,"parallelism":{"dp":1}}]}"""));
            Assert.Contains("spec.stages no longer has the running stage pretrain", removal.Response.Content, StringComparison.Ordinal);
            var stored = await TestJobs.GetAsync(client, ns);
            stored.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 4, Gpus = 8 };
            var edit = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(System.Text.Json.Nodes.JsonNode.Parse(ApiJson.Serialize(stored))!, ApiGroup.Group, ApiGroup.Version, ns, ApiGroup.Plural, "tiny"));
            Assert.Contains("spec.stages[1].parallelism.gpus", edit.Response.Content, StringComparison.Ordinal);
            await TestJobs.PatchSpecAsync(client, ns, """{"suspend":true}"""); // a valid edit goes through
        }
        finally
        {
            await client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync("llama-operator-" + ns);
        }
    }

    [Fact]
    public async Task Kubectl_apply_of_a_broken_layout_shows_every_problem_at_once()
    {
        if (!File.Exists(Kubectl.Path))
        {
            output.WriteLine($"skipped: no kubectl at {Kubectl.Path}");
            return;
        }

        var ns = await fixture.NewNamespaceAsync();
        using var client = fixture.Client();
        await using var op = new RunningOperator(client, RunningOperator.Options(ns) with { Webhook = new WebhookOptions { Address = "https://127.0.0.1:0" } }, output);
        var endpoint = await op.Host.WebhookStarted.WaitAsync(TimeSpan.FromSeconds(30));
        await client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(JobWebhookConfiguration.ForUrl("llama-operator-" + ns, endpoint.JobValidationUrl, endpoint.CaBundlePem!));
        var manifest = Path.Combine(Path.GetTempPath(), $"broken-{ns}.json");
        var broken = Broken(ns, "broken");
        broken.ApiVersion = ApiGroup.ApiVersion;
        broken.Kind = ApiGroup.Kind;
        await File.WriteAllTextAsync(manifest, ApiJson.Serialize(broken));
        try
        {
            var watch = Stopwatch.StartNew();
            await Kubectl.RunAsync(fixture.Cluster.KubeconfigPath, ["get", "ltj", "-n", ns]); // kubectl's first run fills its discovery cache, as a user's earlier commands have
            var baseline = watch.Elapsed;
            watch.Restart();
            var (code, text) = await Kubectl.RunAsync(fixture.Cluster.KubeconfigPath, ["apply", "-f", manifest]);
            var elapsed = watch.Elapsed;
            watch.Restart();
            await Kubectl.RunAsync(fixture.Cluster.KubeconfigPath, ["apply", "-f", manifest]);
            var again = watch.Elapsed;

            output.WriteLine($"kubectl apply of a broken layout -> refusal: {elapsed.TotalMilliseconds:F0} ms, again {again.TotalMilliseconds:F0} ms (a cold kubectl get ltj before: {baseline.TotalMilliseconds:F0} ms)\n{text}");
            Assert.Equal(1, code);
            // kubectl prints a 422 with causes as it prints a schema error: the kind, the name, a line per problem.
            Assert.Contains("The LlamaTrainingJob \"broken\" is invalid:", text, StringComparison.Ordinal);
            Assert.Contains("* spec.stages[0].parallelism.tp: expected at most gpusPerNode (1)", text, StringComparison.Ordinal);
            Assert.Contains("* spec.stages[0].parallelism.tp: expected a divisor of the model's attention heads (4), found 3", text, StringComparison.Ordinal);
            Assert.Contains("* spec.stages[0].parallelism.gpus: expected tp*cp*pp*dp = 3*1*1*2 = 6 GPUs, found gpus 4", text, StringComparison.Ordinal);
            Assert.True(elapsed < TimeSpan.FromSeconds(15), $"kubectl apply took {elapsed.TotalMilliseconds:F0} ms"); // kubectl's start dominates on a loaded machine
        }
        finally
        {
            File.Delete(manifest);
            await client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync("llama-operator-" + ns);
        }
    }

}
