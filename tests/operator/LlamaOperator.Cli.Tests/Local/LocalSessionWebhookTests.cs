using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;
using LlamaOperator.Cli.Tests.Local.EndToEnd;
using LlamaOperator.TestSupport;
using Serilog;
using Xunit.Abstractions;

namespace LlamaOperator.Cli.Tests.Local;

/// <summary>
/// `llamaop local` registers the in-process operator's admission webhook with its dev cluster: the session's own job
/// passes it, and a job with a broken layout applied to that cluster (as a user would with the printed kubeconfig) is
/// refused at once with every problem. The trainer is a stand-in that sleeps; no training happens.
/// </summary>
public class LocalSessionWebhookTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_broken_job_applied_to_the_local_cluster_is_refused_at_once()
    {
        var micro = MicroJob.Create();
        using var log = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.File(Path.Combine(micro.Folder, "llamaop.log")).CreateLogger();
        var options = LocalClusterLayout.Options(JobResolver.Resolve(micro.Job), ["sh", "-c", "sleep 600", "trainer"], Path.Combine(RepoRoot.Find(), "crds"), Path.Combine(micro.Folder, "cluster"), log);
        await using var session = await LocalSession.StartAsync(micro.Job, options, LocalRun.OperatorOptions(), log, CancellationToken.None);
        try
        {
            Assert.Equal("micro", (await session.ReadJobAsync(CancellationToken.None)).Metadata.Name); // the session's job passed the webhook

            var broken = ApiJson.Deserialize<LlamaTrainingJob>(ApiJson.Serialize(micro.Job))!;
            broken.Metadata = new k8s.Models.V1ObjectMeta { Name = "broken", NamespaceProperty = session.Namespace };
            broken.Spec.Stages[0].Parallelism = new ParallelismSpec { Tp = 2, Dp = 2, Gpus = 2 }; // TP 2 on 1-GPU nodes; 2*2 != 2
            var watch = Stopwatch.StartNew();
            var refusal = await Assert.ThrowsAsync<HttpOperationException>(() => session.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                JsonNode.Parse(ApiJson.Serialize(broken))!, ApiGroup.Group, ApiGroup.Version, session.Namespace, ApiGroup.Plural));
            output.WriteLine($"local mode: create of a broken job -> refusal in {watch.Elapsed.TotalMilliseconds:F0} ms\n{refusal.Response.Content}");

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the refusal took {watch.Elapsed.TotalMilliseconds:F0} ms");
            Assert.Equal((HttpStatusCode)422, refusal.Response.StatusCode);
            Assert.Contains("admission webhook \\\"validate.llamatrainingjobs.llamaoperator.dev\\\" denied the request", refusal.Response.Content, StringComparison.Ordinal);
            Assert.Contains("spec.stages[0].parallelism.tp: expected at most gpusPerNode (1)", refusal.Response.Content, StringComparison.Ordinal);
            Assert.Contains("spec.stages[0].parallelism.gpus: expected tp*cp*pp*dp = 2*1*1*2 = 4 GPUs, found gpus 2", refusal.Response.Content, StringComparison.Ordinal);
        }
        finally
        {
            await session.StopAsync(TimeSpan.FromSeconds(10));
            Directory.Delete(micro.Folder, recursive: true);
        }
    }
}
