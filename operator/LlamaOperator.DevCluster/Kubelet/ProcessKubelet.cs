using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;
using Serilog;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Runs bound pods as local processes, one per container, in a working folder per pod, each pod on a loopback
/// address of its own (<see cref="PodAddresses"/>). Reports phase, pod IP, container states, exit codes, termination
/// messages (<see cref="TerminationMessages"/>) and restarts through the status subresource; restarts by restartPolicy
/// with a doubling back-off; keeps a container that cannot be created waiting; on deletion sends SIGTERM to
/// each container's main process, waits the grace period, then SIGKILLs its process group, and finally deletes the
/// pod (grace 0), as a real kubelet does. A container's other processes die with its main process, as in a container
/// whose PID 1 exits (see <see cref="PosixSignals"/>).
/// </summary>
internal sealed class ProcessKubelet(ObjectStore store, PodLogBook logs, PodVolumes volumes, ContainerLauncher launcher, string podsRoot, TimeSpan backoffCap, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodRuntime> _pods = new();
    private readonly PodAddresses _addresses = PodAddresses.Shared;
    private readonly CancellationTokenSource _stop = new();

    public void Handle(StoreChange change)
    {
        if (change.Object.Ref.Kind.StorageId != BuiltInKinds.Pods.StorageId)
        {
            return;
        }
        var obj = change.Object;
        if (change.Type == WatchEventType.Deleted)
        {
            if (_pods.TryRemove(obj.Uid, out var gone))
            {
                Abandon(gone);
            }
            _addresses.Release(obj.Uid);
            logs.Forget(obj.Namespace, obj.Name);
            return;
        }
        // Node and phase come from the fields the store extracted at write time; the pod is parsed
        // only when its body is needed (most changes are other pods' or this kubelet's own writes).
        if (string.IsNullOrEmpty(obj.Fields["spec.nodeName"]))
        {
            return;
        }
        if (_pods.TryGetValue(obj.Uid, out var runtime))
        {
            if (obj.Deleting && !runtime.Stopping)
            {
                runtime.Stopping = true;
                var grace = obj.ToJson()["metadata"]?["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 30;
                _ = StopAsync(runtime, TimeSpan.FromSeconds(grace));
            }
            else if (!runtime.Abandoned && (string?)obj.ToJson()["status"]?["reason"] == "NodeLost")
            {
                Abandon(runtime);
            }
            return;
        }
        if (obj.Deleting)
        {
            ForceDelete(obj.Namespace, obj.Name, obj.Uid);
            return;
        }
        if (obj.Fields["status.phase"] is "Succeeded" or "Failed")
        {
            return;
        }
        Start(obj.ToJson(), obj);
    }

    /// <summary>SIGKILLs the pod's container processes with their process groups (fault injection) and waits until they exited.</summary>
    public async Task KillAsync(string ns, string pod, string? container)
    {
        var runtime = _pods.Values.FirstOrDefault(r => r.Namespace == ns && r.Name == pod)
            ?? throw new InvalidOperationException($"pod {ns}/{pod} is not running on the dev cluster's kubelet");
        var processes = runtime.Containers.Where(c => container is null || c.Spec.Container == container).Select(c => c.Process).OfType<Process>().ToList();
        if (processes.Count == 0)
        {
            throw new InvalidOperationException($"pod {ns}/{pod} has no running container{(container is null ? "" : " " + container)}");
        }
        foreach (var process in processes)
        {
            PosixSignals.KillGroup(process);
        }
        await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
    }

    private void Start(JsonObject pod, StoredObject obj)
    {
        var directory = Path.Combine(podsRoot, obj.Namespace, $"{obj.Name}-{obj.Uid[..8]}");
        var network = new PodNetwork(_addresses.For(obj.Uid), ClusterDns.Names(store, obj.Namespace, _addresses));
        var runtime = new PodRuntime(obj.Namespace, obj.Name, obj.Uid, (string?)pod["spec"]?["restartPolicy"] ?? "Always", directory, network.PodIp)
        {
            StartTime = time.GetUtcNow(),
        };
        if (!_pods.TryAdd(obj.Uid, runtime))
        {
            return;
        }
        Directory.CreateDirectory(directory);
        lock (runtime.Gate)
        {
            var (folders, volumeError) = volumes.Materialize(pod, directory);
            foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var spec = volumeError is null
                    ? launcher.Resolve(pod, container, directory, folders, network)
                    : new LaunchSpec((string?)container["name"] ?? "", [], new Dictionary<string, string>(), directory, volumeError) { Image = (string?)container["image"] ?? "" };
                var run = new ContainerRun(spec, logs.Open(obj.Namespace, obj.Name, obj.Uid, spec.Container));
                runtime.Containers.Add(run);
                if (spec.Error is not null)
                {
                    run.WaitingReason = spec.Error.StartsWith("env ", StringComparison.Ordinal) || spec.Error.StartsWith("volume", StringComparison.Ordinal)
                        ? "CreateContainerConfigError"
                        : "ErrImagePull";
                    run.WaitingMessage = spec.Error;
                    logger.Warning("Pod {Namespace}/{Pod} container {Container} cannot start: {Error}", obj.Namespace, obj.Name, spec.Container, spec.Error);
                }
            }
            if (runtime.Containers.All(c => c.Spec.Error is null))
            {
                foreach (var run in runtime.Containers)
                {
                    Launch(runtime, run);
                }
            }
        }
        WriteStatus(runtime);
    }

    private void Launch(PodRuntime runtime, ContainerRun run)
    {
        Directory.CreateDirectory(run.Spec.WorkingDirectory);
        var now = time.GetUtcNow();
        var path = run.Spec.Environment.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH");
        var (argv, notFound) = ProcessSession.Command(run.Spec.Argv, path, run.Spec.WorkingDirectory);
        if (argv is null)
        {
            CannotCreate(runtime, run, notFound!);
            return;
        }
        var info = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = run.Spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in run.Spec.Environment)
        {
            info.Environment[key] = value;
        }
        info.Environment["POD_WORKDIR"] = runtime.Directory;
        if (run.Spec.TerminationMessageFile is { } messageFile)
        {
            // Every start of the container gets an empty file, as every new container does.
            Directory.CreateDirectory(Path.GetDirectoryName(messageFile)!);
            File.WriteAllText(messageFile, "");
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        // Exited is raised when the main process is gone, before its output ends: processes it left behind may hold that open.
        var mainExited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => mainExited.TrySetResult();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { run.Log.Append(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { run.Log.Append(e.Data); } };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            CannotCreate(runtime, run, $"failed to start \"{run.Spec.Argv[0]}\": {e.Message}");
            return;
        }
        run.Process = process;
        run.StartedAt = now;
        run.Terminated = null;
        run.WaitingReason = null;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        logger.Information("Started {Namespace}/{Pod} container {Container} as pid {Pid}", runtime.Namespace, runtime.Name, run.Spec.Container, process.Id);
        _ = Task.Run(async () =>
        {
            await mainExited.Task;
            PosixSignals.KillGroup(process); // the rest of the container goes with its main process
            await process.WaitForExitAsync();
            process.WaitForExit();
            // Not disposed here: fault injection and graceful stop may still be waiting on it.
            var code = process.ExitCode;
            lock (runtime.Gate)
            {
                run.Process = null;
                Exited(runtime, run, code, code == 0 ? "Completed" : "Error", run.StartedAt ?? now);
            }
            WriteStatus(runtime);
        });
    }

    /// <summary>
    /// A container the runtime cannot create (its executable is missing or cannot be run) waits with reason
    /// CreateContainerError and the runtime's message, as Kubernetes shows it: it never ran, so it has no exit code
    /// and no restart is counted; creating it is tried again after the back-off, whatever the restartPolicy.
    /// </summary>
    private void CannotCreate(PodRuntime runtime, ContainerRun run, string message)
    {
        run.WaitingReason = "CreateContainerError";
        run.WaitingMessage = message;
        logger.Warning("Pod {Namespace}/{Pod} container {Container} cannot be created: {Error}", runtime.Namespace, runtime.Name, run.Spec.Container, message);
        LaunchAfter(runtime, run, Backoff(run.CreateFailures++), restart: false);
    }

    /// <summary>Launches the container again after <paramref name="delay"/> unless the pod is stopping; a restart counts (a failed create does not).</summary>
    private void LaunchAfter(PodRuntime runtime, ContainerRun run, TimeSpan delay, bool restart)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay, time, _stop.Token);
            lock (runtime.Gate)
            {
                if (runtime.Stopping)
                {
                    run.Done = true;
                    return;
                }
                if (restart)
                {
                    run.LastTerminated = run.Terminated;
                    run.RestartCount++;
                }
                Launch(runtime, run);
            }
            WriteStatus(runtime);
        });
    }

    /// <summary>The crash-loop back-off before the next attempt: 1 s doubling per earlier attempt, up to the cap.</summary>
    private TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(backoffCap.TotalSeconds, Math.Pow(2, attempts)));

    /// <summary>Records an exit with its termination message (under the pod's lock) and schedules the restart the policy asks for.</summary>
    private void Exited(PodRuntime runtime, ContainerRun run, int code, string reason, DateTimeOffset startedAt)
    {
        run.Terminated = new JsonObject
        {
            ["exitCode"] = code,
            ["reason"] = reason,
            ["message"] = TerminationMessages.Read(run.Spec, code, run.Log),
            ["startedAt"] = Meta.Timestamp(startedAt),
            ["finishedAt"] = Meta.Timestamp(time.GetUtcNow()),
        };
        var restart = !runtime.Stopping && (runtime.RestartPolicy == "Always" || (runtime.RestartPolicy == "OnFailure" && code != 0));
        if (!restart)
        {
            run.Done = true;
            if (runtime.Containers.All(c => c.Done))
            {
                foreach (var container in runtime.Containers)
                {
                    container.Log.Complete();
                }
            }
            return;
        }
        LaunchAfter(runtime, run, Backoff(run.RestartCount), restart: true);
    }

    private void WriteStatus(PodRuntime runtime)
    {
        lock (runtime.Gate)
        {
            if (runtime.Abandoned)
            {
                return;
            }
            var phase = runtime.Phase();
            var ready = runtime.Containers.All(c => c.Process is not null && c.Terminated is null);
            var pod = new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["phase"] = phase,
                    ["hostIP"] = PodNetwork.HostIp,
                    ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = PodNetwork.HostIp }),
                    ["podIP"] = runtime.PodIp,
                    ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = runtime.PodIp }),
                    ["startTime"] = Meta.Timestamp(runtime.StartTime),
                    ["qosClass"] = "BestEffort",
                    ["containerStatuses"] = runtime.ContainerStatuses(),
                },
            };
            var now = time.GetUtcNow();
            PodConditions.Set(pod, "PodScheduled", "True", null, null, now);
            PodConditions.Set(pod, "Initialized", "True", null, null, now);
            PodConditions.Set(pod, "ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", null, now);
            PodConditions.Set(pod, "Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", null, now);
            try
            {
                var current = store.Get(BuiltInKinds.Pods, runtime.Namespace, runtime.Name);
                if (current is null || current.Uid != runtime.Uid)
                {
                    return;
                }
                // Keep lastTransitionTime of conditions whose status did not change.
                var existing = current.ToJson()["status"]?["conditions"] as JsonArray;
                foreach (var condition in ((JsonArray)pod["status"]!["conditions"]!).OfType<JsonObject>())
                {
                    var old = existing?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == (string?)condition["type"]);
                    if (old is not null && (string?)old["status"] == (string?)condition["status"])
                    {
                        condition["lastTransitionTime"] = old["lastTransitionTime"]?.DeepClone();
                    }
                }
                store.UpdateStatus(BuiltInKinds.Pods, runtime.Namespace, runtime.Name, pod);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted meanwhile.
            }
        }
    }

    private async Task StopAsync(PodRuntime runtime, TimeSpan grace)
    {
        List<Process> processes;
        lock (runtime.Gate)
        {
            processes = runtime.Containers.Select(c => c.Process).OfType<Process>().ToList();
        }
        foreach (var process in processes)
        {
            PosixSignals.Terminate(process.Id); // the main process only, as a container runtime signals PID 1
        }
        var exited = Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await exited.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            foreach (var process in processes)
            {
                PosixSignals.KillGroup(process);
            }
            await exited;
        }
        catch (InvalidOperationException)
        {
            // A process already gone.
        }
        // Let the exit handlers record the final states before the pod goes.
        await Task.Delay(50);
        WriteStatus(runtime);
        ForceDelete(runtime.Namespace, runtime.Name, runtime.Uid);
    }

    private void ForceDelete(string ns, string name, string uid)
    {
        try
        {
            store.Delete(BuiltInKinds.Pods, ns, name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = uid });
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Already gone, or replaced by a new pod of the same name.
        }
    }

    /// <summary>Stops a pod's processes without reporting (pod removed, node lost, kubelet shutting down).</summary>
    private static void Abandon(PodRuntime runtime)
    {
        lock (runtime.Gate)
        {
            runtime.Stopping = true;
            runtime.Abandoned = true;
            foreach (var run in runtime.Containers)
            {
                if (run.Process is { } process)
                {
                    PosixSignals.KillGroup(process);
                }
                run.Log.Complete();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        var processes = new List<Process>();
        foreach (var runtime in _pods.Values)
        {
            lock (runtime.Gate)
            {
                processes.AddRange(runtime.Containers.Select(c => c.Process).OfType<Process>());
            }
            Abandon(runtime);
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(timeout.Token)));
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            // Best effort on shutdown.
        }
        _stop.Dispose();
    }
}
