using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>The process kubelet: pods run as local processes, report their state, stop gracefully, and faults can be injected.</summary>
public class KubeletTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    private static V1Pod ShellPod(string name, string script, string restartPolicy = "Never", long? grace = null, IList<V1EnvVar>? env = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = grace,
            Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sh", "-c", script], Env = env }],
        },
    };

    private Task<V1Pod> WaitFor(string ns, string name, Func<V1Pod, bool> until, string what, double seconds = 10) =>
        Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns), until, TimeSpan.FromSeconds(seconds), what);

    /// <summary>Waits until the shell has set its SIGTERM trap: a signal before that ends it at once, trap or not.</summary>
    private static Task<bool> TrappedAsync(string podDirectory) =>
        Eventually.Get(() => Task.FromResult(File.Exists(Path.Combine(podDirectory, "trapped"))), set => set, TimeSpan.FromSeconds(10), "SIGTERM trap set");

    private async Task<string> Logs(string ns, string name)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(name, ns);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task Pod_runs_its_command_with_env_and_its_output_is_in_the_logs()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["stage"] = "pretrain" } }, ns);
        var env = new List<V1EnvVar>
        {
            new() { Name = "POD", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new() { Name = "IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            new() { Name = "STAGE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "stage" } } },
            new() { Name = "GREETING", Value = "hello $(POD)" },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("env", "echo $GREETING at $IP for $STAGE; pwd", env: env), ns);
        var done = await WaitFor(ns, "env", p => p.Status.Phase == "Succeeded", "pod Succeeded");
        var terminated = done.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal(0, terminated.ExitCode);
        Assert.Equal("Completed", terminated.Reason);
        Assert.StartsWith("127.1.", done.Status.PodIP);
        var lines = (await Logs(ns, "env")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"hello env at {done.Status.PodIP} for pretrain", lines[0]);
        Assert.StartsWith(Path.Combine(fixture.Cluster.WorkDirectory, "pods", ns, "env-"), lines[1]);
    }

    [Fact]
    public async Task Following_logs_streams_lines_until_the_container_ends()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("talker", "for i in 1 2 3; do echo line $i; sleep 0.2; done"), ns);
        await WaitFor(ns, "talker", p => p.Status.Phase is "Running" or "Succeeded", "pod started");
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("talker", ns, follow: true);
        var text = await new StreamReader(stream).ReadToEndAsync();
        Assert.Equal("line 1\nline 2\nline 3\n", text);
    }

    [Fact]
    public async Task Failing_container_is_restarted_under_on_failure_and_reports_restart_count()
    {
        var ns = await fixture.NewNamespaceAsync();
        // Fails on the first run, succeeds on the second: the counter file lives in the pod's working folder.
        var script = "if [ -f ran ]; then exit 0; fi; touch ran; echo failing; exit 3";
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("retry", script, "OnFailure"), ns);
        var done = await WaitFor(ns, "retry", p => p.Status.Phase == "Succeeded", "pod Succeeded after a restart");
        var status = done.Status.ContainerStatuses.Single();
        Assert.Equal(1, status.RestartCount);
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
    }

    [Fact]
    public async Task Never_restarted_failure_fails_the_pod_with_the_exit_code()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("fail", "exit 7"), ns);
        var failed = await WaitFor(ns, "fail", p => p.Status.Phase == "Failed", "pod Failed");
        Assert.Equal(7, failed.Status.ContainerStatuses.Single().State.Terminated.ExitCode);
    }

    [Fact]
    public async Task Deletion_sends_sigterm_and_the_pod_goes_once_the_process_exits()
    {
        var ns = await fixture.NewNamespaceAsync();
        var script = "trap 'echo stopping > \"$POD_WORKDIR/term\"; exit 0' TERM; touch \"$POD_WORKDIR/trapped\"; while true; do sleep 0.05; done";
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("graceful", script, "Always", grace: 20), ns);
        var running = await WaitFor(ns, "graceful", p => p.Status.Phase == "Running", "pod Running");
        Assert.True(running.Status.ContainerStatuses.Single().Ready);
        var directory = Directory.GetDirectories(Path.Combine(fixture.Cluster.WorkDirectory, "pods", ns)).Single();
        await TrappedAsync(directory);
        var started = DateTime.UtcNow;
        await Client.CoreV1.DeleteNamespacedPodAsync("graceful", ns);
        await Eventually.Get(() => Client.CoreV1.ListNamespacedPodAsync(ns), l => l.Items.Count == 0, TimeSpan.FromSeconds(10), "pod removed");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the pod went before its 20 s grace period: SIGTERM was handled");
        Assert.Equal("stopping", File.ReadAllText(Path.Combine(directory, "term")).Trim());
    }

    [Fact]
    public async Task Process_ignoring_sigterm_is_killed_after_the_grace_period()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("stubborn", "trap '' TERM; touch \"$POD_WORKDIR/trapped\"; while true; do sleep 0.05; done", "Always", grace: 1), ns);
        await WaitFor(ns, "stubborn", p => p.Status.Phase == "Running", "pod Running");
        await TrappedAsync(Directory.GetDirectories(Path.Combine(fixture.Cluster.WorkDirectory, "pods", ns)).Single());
        var started = DateTime.UtcNow;
        await Client.CoreV1.DeleteNamespacedPodAsync("stubborn", ns);
        var deleting = await Client.CoreV1.ReadNamespacedPodAsync("stubborn", ns);
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        await Eventually.Get(() => Client.CoreV1.ListNamespacedPodAsync(ns), l => l.Items.Count == 0, TimeSpan.FromSeconds(10), "pod removed");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Killed_process_is_restarted_with_exit_code_137_in_last_state()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("victim", "while true; do sleep 0.05; done", "Always"), ns);
        await WaitFor(ns, "victim", p => p.Status.Phase == "Running", "pod Running");
        await fixture.Cluster.KillPodProcessAsync(ns, "victim");
        var restarted = await WaitFor(ns, "victim", p => p.Status.ContainerStatuses.Single() is { RestartCount: 1, State.Running: not null }, "container restarted");
        Assert.Equal(137, restarted.Status.ContainerStatuses.Single().LastState.Terminated.ExitCode);
        await Client.CoreV1.DeleteNamespacedPodAsync("victim", ns, gracePeriodSeconds: 0);
    }

    [Fact]
    public async Task Pods_of_a_node_marked_not_ready_fail_with_reason_node_lost()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = ShellPod("lost", "while true; do sleep 0.05; done", "Always");
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-3" };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        await WaitFor(ns, "lost", p => p.Status.Phase == "Running", "pod Running");
        fixture.Cluster.SetNodeReady("node-3", false);
        try
        {
            var node = await Client.CoreV1.ReadNodeAsync("node-3");
            Assert.Equal("Unknown", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
            Assert.Contains(node.Spec.Taints, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute");
            var failed = await WaitFor(ns, "lost", p => p.Status.Phase == "Failed", "pod Failed");
            Assert.Equal("NodeLost", failed.Status.Reason);
        }
        finally
        {
            fixture.Cluster.SetNodeReady("node-3", true);
        }
    }

    [Fact]
    public async Task Image_without_a_mapping_waits_with_err_image_pull()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "unmapped" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "ghcr.io/nobody/unknown:1" }] },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var waiting = await WaitFor(ns, "unmapped", p => p.Status.ContainerStatuses?.SingleOrDefault()?.State.Waiting is not null, "container waiting");
        Assert.Equal("Pending", waiting.Status.Phase);
        Assert.Equal("ErrImagePull", waiting.Status.ContainerStatuses.Single().State.Waiting.Reason);
        Assert.Contains("ghcr.io/nobody/unknown:1", waiting.Status.ContainerStatuses.Single().State.Waiting.Message);
    }

    [Fact]
    public async Task Config_map_volume_is_written_at_its_mount_path_and_the_path_is_rewritten_in_argv_env_and_working_dir()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "job" },
            Data = new Dictionary<string, string> { ["job.json"] = "{\"stage\":\"pretrain\"}", ["other"] = "x" },
        }, ns);
        var pod = ShellPod("mounted", "cat /etc/llamaop/job.json; echo; cat \"$JOB\"; echo; cat ./other; echo; ls /scratch; touch /scratch/written", env: [new V1EnvVar { Name = "JOB", Value = "/etc/llamaop/job.json" }]);
        pod.Spec.Volumes =
        [
            new V1Volume { Name = "job-config", ConfigMap = new V1ConfigMapVolumeSource { Name = "job" } },
            new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() },
        ];
        pod.Spec.Containers[0].VolumeMounts =
        [
            new V1VolumeMount { Name = "job-config", MountPath = "/etc/llamaop", ReadOnlyProperty = true },
            new V1VolumeMount { Name = "scratch", MountPath = "/scratch" },
        ];
        pod.Spec.Containers[0].WorkingDir = "/etc/llamaop";
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        await WaitFor(ns, "mounted", p => p.Status.Phase is "Succeeded" or "Failed", "pod finished");
        var lines = (await Logs(ns, "mounted")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["{\"stage\":\"pretrain\"}", "{\"stage\":\"pretrain\"}", "x"], lines);
        var podDirectory = Directory.GetDirectories(Path.Combine(fixture.Cluster.WorkDirectory, "pods", ns)).Single();
        Assert.True(File.Exists(Path.Combine(podDirectory, "volumes", "scratch", "written")));
    }

    [Fact]
    public async Task Config_map_items_choose_keys_paths_and_modes()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "scripts" },
            Data = new Dictionary<string, string> { ["run"] = "#!/bin/sh\necho from-script", ["unused"] = "no" },
        }, ns);
        var pod = ShellPod("items", "/opt/bin/tools/run.sh; ls /opt/bin");
        pod.Spec.Volumes = [new V1Volume { Name = "s", ConfigMap = new V1ConfigMapVolumeSource { Name = "scripts", Items = [new V1KeyToPath { Key = "run", Path = "tools/run.sh", Mode = 493 }] } }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "s", MountPath = "/opt/bin" }];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var done = await WaitFor(ns, "items", p => p.Status.Phase is "Succeeded" or "Failed", "pod finished");
        Assert.Equal("Succeeded", done.Status.Phase);
        Assert.Equal("from-script\ntools\n", await Logs(ns, "items"));
    }

    [Fact]
    public async Task Missing_config_map_keeps_the_container_waiting_with_a_message_naming_the_volume()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = ShellPod("nocm", "true");
        pod.Spec.Volumes = [new V1Volume { Name = "job-config", ConfigMap = new V1ConfigMapVolumeSource { Name = "absent" } }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "job-config", MountPath = "/etc/llamaop" }];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        var waiting = await WaitFor(ns, "nocm", p => p.Status.ContainerStatuses?.SingleOrDefault()?.State.Waiting is not null, "container waiting");
        Assert.Equal("CreateContainerConfigError", waiting.Status.ContainerStatuses.Single().State.Waiting.Reason);
        Assert.Equal("volume job-config: configmap \"absent\" not found", waiting.Status.ContainerStatuses.Single().State.Waiting.Message);
    }

    [Fact]
    public async Task Pod_process_leads_its_own_session_so_a_terminal_ctrl_c_does_not_reach_it()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(ShellPod("session", "read -r _ _ _ _ _ sid _ < /proc/$$/stat; echo $$ $sid"), ns);
        await WaitFor(ns, "session", p => p.Status.Phase is "Succeeded" or "Failed", "pod finished");
        var ids = (await Logs(ns, "session")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[1]);
    }

    [Fact]
    public async Task Missing_executable_keeps_the_container_waiting_with_create_container_error_until_it_appears()
    {
        var ns = await fixture.NewNamespaceAsync();
        var folder = Directory.CreateTempSubdirectory("noexe-");
        var program = Path.Combine(folder.FullName, "trainer");
        var pod = ShellPod("noexe", "");
        pod.Spec.Containers[0].Command = [program, "--flag"];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);

        // Not a failed run: the container was never created, so it has no exit code and no restart is counted, whatever the restartPolicy.
        var waiting = await WaitFor(ns, "noexe", p => p.Status.ContainerStatuses?.SingleOrDefault()?.State.Waiting is not null, "container waiting");
        var status = waiting.Status.ContainerStatuses.Single();
        Assert.Equal("Pending", waiting.Status.Phase);
        Assert.Equal("CreateContainerError", status.State.Waiting.Reason);
        Assert.Equal($"exec: \"{program}\": executable file not found in $PATH", status.State.Waiting.Message);
        Assert.Equal(0, status.RestartCount);

        // The kubelet tries again after its back-off, as it does for CreateContainerError.
        File.Copy("/bin/echo", program + ".partial"); // an executable, moved into place whole
        File.Move(program + ".partial", program);
        var done = await WaitFor(ns, "noexe", p => p.Status.Phase == "Succeeded", "pod Succeeded once the executable exists");
        Assert.Equal(0, done.Status.ContainerStatuses.Single().RestartCount);
        Assert.Equal("--flag\n", await Logs(ns, "noexe"));
        folder.Delete(recursive: true);
    }
}
