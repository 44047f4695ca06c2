using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.DevCluster;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests.Running;

public class RunCommandTests
{
    [Fact]
    public void An_unknown_log_format_is_refused()
    {
        var run = CliRun.Invoke("run", "--log-format", "xml");

        Assert.NotEqual(0, run.Exit);
        Assert.Contains("xml", run.Error);
    }

    [Theory]
    [InlineData(new[] { "run" }, true)]
    [InlineData(new[] { "run", "--leader-elect", "false" }, false)]
    [InlineData(new[] { "run", "--leader-elect=false" }, false)]
    [InlineData(new[] { "run", "--leader-elect" }, true)]
    public void Leader_election_is_on_unless_turned_off(string[] args, bool expected)
    {
        var parse = Program.BuildRoot().Parse(args);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue<bool>("--leader-elect"));
        Assert.Equal("http://0.0.0.0:8080", parse.GetValue<string>("--http-address"));
        Assert.Equal(4, parse.GetValue<int>("--workers"));
        Assert.Equal("llama-operator", parse.GetValue<string>("--leader-election-id"));
    }

    [Fact]
    public void Zero_workers_are_refused()
    {
        var run = CliRun.Invoke("run", "--workers", "0", "--kubeconfig", "/nonexistent");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--workers must be at least 1", run.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Run_reconciles_jobs_and_serves_health_and_metrics_until_stopped()
    {
        await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions
        {
            EnableKubelet = false,
            EnableScheduler = false,
            CrdDirectory = Path.Combine(RepoRoot.Find(), "crds"),
        });
        using var client = cluster.CreateClient();
        var port = FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Program.BuildRoot()
            .Parse(["run", "--kubeconfig", cluster.KubeconfigPath, "--namespace", "default", "--leader-elect", "false", "--http-address", $"http://127.0.0.1:{port}", "--workers", "2"])
            .InvokeAsync(new InvocationConfiguration(), stop.Token);

        var job = new LlamaTrainingJob
        {
            Metadata = new V1ObjectMeta { Name = "demo", NamespaceProperty = "default" },
            Spec = new LlamaTrainingJobSpec
            {
                Model = new ModelSpec { Preset = "tiny" },
                Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data", Weight = 1 }] },
                Cluster = new ClusterSpec { Image = "img", GpusPerNode = 2, GpuMemoryGiB = 80 },
                Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = Path.Combine(Path.GetTempPath(), "llamaop-run-test-" + Guid.NewGuid().ToString("N")) } } },
                Stages = [new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 65536, SequenceLength = 256, BatchTokens = 4096, Parallelism = new ParallelismSpec { Tp = 2 } }],
            },
        };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(ApiJson.Serialize(job))!, ApiGroup.Group, ApiGroup.Version, "default", ApiGroup.Plural);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.CoreV1.ListNamespacedPodAsync("default")).Items.Count == 0)
        {
            Assert.False(run.IsCompleted, "llamaop run ended early");
            Assert.True(DateTime.UtcNow < deadline, "no trainer pod was created within 30 s");
            await Task.Delay(100);
        }

        Assert.Equal("demo-pretrain-0", Assert.Single((await client.CoreV1.ListNamespacedPodAsync("default")).Items).Metadata.Name);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Contains("llamaop_jobs{phase=\"Scheduling\"} 1", await http.GetStringAsync("/metrics"));

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task Run_serves_the_admission_webhook_with_the_certificate_of_its_cert_dir()
    {
        await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions { EnableKubelet = false, EnableScheduler = false, CrdDirectory = Path.Combine(RepoRoot.Find(), "crds") });
        var certDir = Directory.CreateTempSubdirectory("llamaop-run-webhook-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=llama-operator-webhook.ops.svc", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(certDir, "tls.crt"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(certDir, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        var port = FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Program.BuildRoot()
            .Parse(["run", "--kubeconfig", cluster.KubeconfigPath, "--leader-elect", "false", "--http-address", $"http://127.0.0.1:{FreePort()}", "--webhook-address", $"https://127.0.0.1:{port}", "--webhook-cert-dir", certDir])
            .InvokeAsync(new InvocationConfiguration(), stop.Token);
        try
        {
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, served, _, _) => served?.GetCertHashString() == certificate.GetCertHashString();
            using var http = new HttpClient(handler);
            var review = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-7","operation":"CREATE","name":"x","namespace":"default","object":{"apiVersion":"llamaoperator.dev/v1alpha1","kind":"LlamaTrainingJob","metadata":{"name":"x"},"spec":{}}}}""";
            HttpResponseMessage? answer = null;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); answer is null; await Task.Delay(100))
            {
                Assert.False(run.IsCompleted, "llamaop run ended early");
                try
                {
                    answer = await http.PostAsync(new Uri($"https://127.0.0.1:{port}/validate-llamatrainingjob"), new StringContent(review, System.Text.Encoding.UTF8, "application/json"));
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    // Not listening yet.
                }
            }

            using (answer)
            {
                var response = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["response"]!;
                Assert.Equal(("u-7", false), ((string?)response["uid"], (bool)response["allowed"]!));
                Assert.Contains("is invalid", (string?)response["status"]!["message"], StringComparison.Ordinal);
            }
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Directory.Delete(certDir, recursive: true);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
