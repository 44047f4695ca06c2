using System.CommandLine;
using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests;

public class DevClusterCommandTests
{

    [Fact]
    public async Task Dev_cluster_prints_a_working_kubeconfig_and_stops_on_cancel()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (run, kubeconfig) = await StartAsync(["dev-cluster", "--nodes", "3", "--gpus-per-node", "4"], stop.Token);
        using (var client = Client(kubeconfig))
        {
            var nodes = await client.CoreV1.ListNodeAsync();
            Assert.Equal(3, nodes.Items.Count);
            Assert.All(nodes.Items, n => Assert.Equal("4", n.Status.Allocatable["nvidia.com/gpu"].ToString()));
        }
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task With_no_flags_it_serves_the_job_crd_resolves_a_kubectl_applied_example_against_examples_and_runs_llama_train_as_the_built_trainer()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (run, kubeconfig) = await StartAsync(["dev-cluster"], stop.Token);
        using (var client = Client(kubeconfig))
        {
            await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync($"{ApiGroup.Plural}.{ApiGroup.Group}");

            // kubectl sends the manifest without its folder: its relative paths are taken against the checkout's examples/, as `llamaop local` takes them.
            var apply = await Kubectl.RunAsync(kubeconfig, ["apply", "-f", CliRun.Example("tiny-local.yaml")], TimeSpan.FromMinutes(5));
            Assert.True(apply.Code == 0, apply.Output);
            var job = await client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(ApiGroup.Group, ApiGroup.Version, "default", ApiGroup.Plural, "tiny-local");
            var examples = Path.Combine(RepoRoot.Find(), "examples");
            Assert.Equal(Path.GetFullPath("../.work/tiny-local/checkpoints", examples), job.Spec.Checkpoint.Storage.Local!.Path);
            Assert.Equal(
                [(Path.GetFullPath("../.work/tiny-local/data/general", examples), Path.GetFullPath("corpus/general.jsonl", examples))],
                job.Spec.Data.Sources.Take(1).Select(s => (s.Uri, s.PrepareFrom)));

            // A pod running `llama-train` (as every trainer and averaging pod does) runs the checkout's trainer.
            await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "trainer-version" },
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "trainer", Image = "llama-trainer:dev", Command = ["llama-train", "--version"] }] },
            }, "default");
            V1Pod pod;
            while ((pod = await client.CoreV1.ReadNamespacedPodAsync("trainer-version", "default", cancellationToken: stop.Token)).Status.Phase is not ("Succeeded" or "Failed"))
            {
                await Task.Delay(100, stop.Token);
            }

            Assert.True(pod.Status.Phase == "Succeeded", $"{pod.Status.Phase}: {pod.Status.ContainerStatuses?.Single().State.Terminated?.Message}");
            using var log = new StreamReader(await client.CoreV1.ReadNamespacedPodLogAsync("trainer-version", "default"));
            Assert.NotEmpty(await log.ReadToEndAsync());
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Dev_cluster_and_llamaop_run_train_a_kubectl_applied_job_with_relative_paths_to_Succeeded()
    {
        var folder = Directory.CreateTempSubdirectory("llamaop-devcluster-e2e-").FullName;
        var manifest = Path.Combine(folder, "micro.yaml");
        File.WriteAllText(manifest, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "micro-local.yaml"))
            .Replace("DATA/", "data/", StringComparison.Ordinal)
            .Replace("CHECKPOINTS", "checkpoints", StringComparison.Ordinal)
            .Replace("CORPUS/", Path.Combine(RepoRoot.Find(), "examples", "corpus") + "/", StringComparison.Ordinal));
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (cluster, kubeconfig) = await StartAsync(["dev-cluster", "--manifest-folder", folder, "--work-dir", Path.Combine(folder, "cluster")], stop.Token);
        var port = Running.RunCommandTests.FreePort();
        var run = Program.BuildRoot()
            .Parse(["run", "--kubeconfig", kubeconfig, "--leader-elect", "false", "--http-address", $"http://127.0.0.1:{port}"])
            .InvokeAsync(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null }, stop.Token);
        using (var client = Client(kubeconfig))
        {
            var apply = await Kubectl.RunAsync(kubeconfig, ["apply", "-f", manifest], TimeSpan.FromMinutes(5));
            Assert.True(apply.Code == 0, apply.Output);

            LlamaTrainingJob job;
            while ((job = await client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(ApiGroup.Group, ApiGroup.Version, "default", ApiGroup.Plural, "micro", stop.Token)).Status?.Phase is not (JobPhase.Succeeded or JobPhase.Failed))
            {
                Assert.False(run.IsCompleted, "llamaop run ended early");
                await Task.Delay(500, stop.Token);
            }

            Assert.True(job.Status!.Phase == JobPhase.Succeeded, string.Join("; ", job.Status.Conditions?.Select(c => $"{c.Type}={c.Status} {c.Reason}: {c.Message}") ?? []));
            Assert.StartsWith("file://" + Path.Combine(folder, "checkpoints"), job.Status.FinalModel);
            Assert.Equal(0, job.Status.Restarts?.Total ?? 0);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Equal(0, await cluster);
    }

    [Fact]
    public void Image_mapping_without_a_command_is_refused_by_name()
    {
        var error = new StringWriter();
        var exit = Program.BuildRoot().Parse(["dev-cluster", "--image", "trainer:dev"]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = error });
        Assert.Equal(2, exit);
        Assert.Contains("--image \"trainer:dev\": expected IMAGE=COMMAND", error.ToString());
    }

    /// <summary>Starts `llamaop ARGS` (a dev-cluster) and waits for the kubeconfig path it prints.</summary>
    private static async Task<(Task<int> Run, string Kubeconfig)> StartAsync(string[] args, CancellationToken stop)
    {
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        var run = Program.BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output }, stop);
        string? kubeconfig = null;
        while (kubeconfig is null && !run.IsCompleted)
        {
            await Task.Delay(50, CancellationToken.None);
            kubeconfig = Read(text).Split('\n').FirstOrDefault(l => l.StartsWith("kubeconfig: ", StringComparison.Ordinal))?["kubeconfig: ".Length..].Trim();
        }
        Assert.True(kubeconfig is not null, $"no kubeconfig printed: {Read(text)}");
        return (run, kubeconfig);
    }

    private static Kubernetes Client(string kubeconfig) => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    private static string Read(StringWriter writer)
    {
        // TextWriter.Synchronized locks the wrapper; reading the builder under that lock is not possible, so copy until stable.
        lock (writer)
        {
            return writer.GetStringBuilder().ToString();
        }
    }
}
