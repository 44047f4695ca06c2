using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;
using LlamaOperator.DevCluster;

namespace LlamaOperator.Chart.Tests;

/// <summary>
/// The operator process started with exactly the container arguments and environment the chart renders (plus a
/// kubeconfig for the dev cluster instead of the in-cluster config, and the chart's webhook Secret written where the
/// mount would put it): the probes' endpoints answer on the chart's port, and the admission webhook on the chart's
/// webhook port with the chart's certificate, which chains to the chart's caBundle.
/// </summary>
public class OperatorProcessTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Llamaop_run_with_the_charts_arguments_serves_the_probes_and_metrics_on_the_charts_port()
    {
        var port = FreePort();
        var webhookPort = FreePort();
        var chart = RenderedChart.Parse(await HelmCli.TemplateAsync("--set", $"httpPort={port},webhook.port={webhookPort}"));
        var container = Assert.Single(chart.Single<V1Deployment>().Spec.Template.Spec.Containers);
        var mount = container.VolumeMounts.Single(m => m.Name == "webhook-tls").MountPath;
        var certDir = Directory.CreateTempSubdirectory("llamaop-chart-webhook-tls-").FullName;
        foreach (var (key, value) in chart.Single<V1Secret>().Data)
        {
            await File.WriteAllBytesAsync(Path.Combine(certDir, key), value);
        }
        await using var cluster = await DevCluster.DevCluster.StartAsync(new DevClusterOptions
        {
            EnableKubelet = false,
            EnableScheduler = false,
            CrdDirectory = Path.Combine(HelmCli.RepoRootPath, "crds"),
        });
        using var admin = cluster.CreateClient();
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ops" } });

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llamaop.dll"));
        foreach (var arg in container.Args)
        {
            start.ArgumentList.Add(arg.Replace(mount, certDir, StringComparison.Ordinal));
        }
        start.ArgumentList.Add($"--kubeconfig={cluster.KubeconfigPath}");
        start.Environment["POD_NAME"] = "rel-llama-operator-abc12";
        start.Environment["POD_NAMESPACE"] = "ops";
        foreach (var env in container.Env.Where(e => e.Value is not null))
        {
            start.Environment[env.Name] = env.Value;
        }
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            var probes = new[] { container.LivenessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Path, "/metrics" };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            var answered = new HashSet<string>();
            while (answered.Count < probes.Length)
            {
                Assert.False(process.HasExited, $"llamaop run exited ({(process.HasExited ? process.ExitCode : 0)}):\n{output}");
                Assert.True(DateTime.UtcNow < deadline, $"no 200 from {string.Join(", ", probes.Except(answered))} on port {port}:\n{output}");
                foreach (var path in probes.Except(answered).ToList())
                {
                    try
                    {
                        using var response = await http.GetAsync(path);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            answered.Add(path);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }
                }
                await Task.Delay(200);
            }
            // The leader took the Lease the chart names, in the release namespace, under its pod name.
            var lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync("llama-operator", "ops");
            Assert.Equal("rel-llama-operator-abc12", lease.Spec.HolderIdentity);
            // --log-format=json: one JSON object per line.
            string firstLine;
            lock (output)
            {
                firstLine = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
            }
            Assert.StartsWith("{", firstLine);

            // The webhook answers over TLS with the chart's certificate (issued for the Service's name; the chain is what the API server checks here).
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(Encoding.UTF8.GetString(chart.Single<V1ValidatingWebhookConfiguration>().Webhooks.Single().ClientConfig.CaBundle));
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, served, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return served is X509Certificate2 certificate && chain.Build(certificate);
            };
            using var tls = new HttpClient(handler);
            const string Review = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","operation":"CREATE","name":"x","object":{"metadata":{"name":"x"},"spec":{}}}}""";
            using var answer = await tls.PostAsync(new Uri($"https://127.0.0.1:{webhookPort}/validate-llamatrainingjob"), new StringContent(Review, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("\"allowed\":false", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(certDir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
