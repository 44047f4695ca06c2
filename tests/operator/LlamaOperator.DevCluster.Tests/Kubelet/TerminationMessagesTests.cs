using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

/// <summary>Termination messages as the kubelet makes them: the file at terminationMessagePath, or the end of the log.</summary>
public class TerminationMessagesTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    private async Task<V1ContainerStateTerminated> RunAsync(string script, string? policy = null)
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "exits" },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sh", "-c", script], TerminationMessagePolicy = policy }],
            },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var done = await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync("exits", ns), p => p.Status.Phase is "Succeeded" or "Failed", TimeSpan.FromSeconds(10), "pod finished");
        return done.Status.ContainerStatuses.Single().State.Terminated;
    }

    [Fact]
    public async Task What_the_container_writes_to_its_termination_message_path_becomes_the_terminated_message()
    {
        // /dev/termination-log is the API server's default terminationMessagePath; the kubelet maps it to a file of the pod's.
        var terminated = await RunAsync("echo \"data file /data/general/index.json is missing\" > /dev/termination-log; echo other output; exit 2");

        Assert.Equal(2, terminated.ExitCode);
        Assert.Equal("data file /data/general/index.json is missing\n", terminated.Message);
    }

    [Fact]
    public async Task A_failure_that_wrote_no_message_gets_the_last_80_lines_of_its_log_with_fallback_to_logs_on_error()
    {
        var terminated = await RunAsync("for i in $(seq 1 100); do echo line $i; done; exit 3", "FallbackToLogsOnError");

        Assert.Equal(string.Concat(Enumerable.Range(21, 80).Select(i => $"line {i}\n")), terminated.Message);
    }

    [Fact]
    public async Task The_end_of_the_log_is_cut_to_its_last_2048_bytes()
    {
        var line = new string('x', 99);
        var terminated = await RunAsync($"for i in $(seq 1 80); do echo {line}; done; echo the cause; exit 1", "FallbackToLogsOnError");

        Assert.Equal(2048, terminated.Message.Length);
        Assert.EndsWith($"{line}\nthe cause\n", terminated.Message);
    }

    [Fact]
    public async Task Without_fallback_or_on_success_the_log_is_not_the_message()
    {
        Assert.Null((await RunAsync("echo failing; exit 1")).Message);
        Assert.Null((await RunAsync("echo done", "FallbackToLogsOnError")).Message);
    }
}
