using System.Globalization;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

/// <summary>A container's processes go with it, as in a container: what its main process started is killed too.</summary>
public class ProcessTreeTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    /// <summary>Starts a `sleep` child, writes its pid to POD_WORKDIR/child, then runs <paramref name="then"/>.</summary>
    private static V1Pod Spawner(string name, string then, long grace) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            RestartPolicy = "Never",
            TerminationGracePeriodSeconds = grace,
            Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sh", "-c", $"sleep 300 & echo $! > \"$POD_WORKDIR/child\"; {then}"] }],
        },
    };

    private Kubernetes Client => fixture.Client;

    /// <summary>Whether the process runs (a zombie waiting for a reaper does not).</summary>
    private static bool Runs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task<(int Main, int Child)> RunningAsync(string ns, string name)
    {
        var pod = await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns), p => p.Status.Phase == "Running", TimeSpan.FromSeconds(10), "pod Running");
        var file = Path.Combine(Directory.GetDirectories(Path.Combine(fixture.Cluster.WorkDirectory, "pods", ns)).Single(), "child");
        var child = await Eventually.Get(() => Task.FromResult(File.Exists(file) ? File.ReadAllText(file).Trim() : ""), s => s.Length > 0, TimeSpan.FromSeconds(10), "child pid written");
        var main = int.Parse(pod.Status.ContainerStatuses.Single().ContainerID["process://".Length..], CultureInfo.InvariantCulture);
        return (main, int.Parse(child, CultureInfo.InvariantCulture));
    }

    private async Task DeleteAndWaitGoneAsync(string ns, string name)
    {
        await Client.CoreV1.DeleteNamespacedPodAsync(name, ns);
        await Eventually.Get(() => Client.CoreV1.ListNamespacedPodAsync(ns), l => l.Items.Count == 0, TimeSpan.FromSeconds(15), "pod removed");
    }

    [Fact]
    public async Task Deleting_a_pod_kills_the_child_its_command_started()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Spawner("spawner", "wait", grace: 30), ns);
        var (main, child) = await RunningAsync(ns, "spawner");
        Assert.True(Runs(main) && Runs(child));
        var started = DateTime.UtcNow;

        await DeleteAndWaitGoneAsync(ns, "spawner");

        Assert.False(Runs(main), "the main process is gone");
        Assert.False(Runs(child), "the child sleep is gone");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the shell stopped on SIGTERM, its child went with it, well before the 30 s grace period");
    }

    [Fact]
    public async Task A_pod_whose_processes_ignore_sigterm_loses_all_of_them_after_the_grace_period()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = Spawner("stubborn", "wait", grace: 1);
        pod.Spec.Containers[0].Command[2] = "trap '' TERM; " + pod.Spec.Containers[0].Command[2]; // the child inherits the ignored SIGTERM
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var (main, child) = await RunningAsync(ns, "stubborn");

        await DeleteAndWaitGoneAsync(ns, "stubborn");

        Assert.False(Runs(main));
        Assert.False(Runs(child));
    }

    [Fact]
    public async Task Processes_left_behind_by_an_exiting_main_process_are_killed_with_it()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Spawner("leaver", "sleep 1; exit 0", grace: 30), ns);
        var (_, child) = await RunningAsync(ns, "leaver");

        var done = await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync("leaver", ns), p => p.Status.Phase is "Succeeded" or "Failed", TimeSpan.FromSeconds(10), "pod finished");

        Assert.Equal("Succeeded", done.Status.Phase);
        Assert.False(Runs(child));
    }
}
