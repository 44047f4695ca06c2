using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>Plays the kubelet: sets pod phases and the trainer container's termination through the status subresource.</summary>
internal sealed class FakeKubelet(IKubernetes client, string ns)
{
    public async Task<IReadOnlyList<V1Pod>> PodsAsync(string? stage = null)
    {
        var selector = stage is null ? TrainerLabels.Job : $"{TrainerLabels.Job},{TrainerLabels.Stage}={stage}";
        return [.. (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];
    }

    public async Task RunAsync(string? stage = null)
    {
        foreach (var pod in await PodsAsync(stage))
        {
            await SetAsync(pod.Metadata.Name, "Running");
        }
    }

    public async Task ExitAsync(string? stage, int exitCode)
    {
        foreach (var pod in await PodsAsync(stage))
        {
            await ExitAsync(pod.Metadata.Name, exitCode, null);
        }
    }

    /// <param name="message">the container's termination message (what the trainer wrote to its terminationMessagePath)</param>
    public Task ExitAsync(string pod, int exitCode, string? podReason, string? message = null) =>
        SetAsync(pod, exitCode == 0 ? "Succeeded" : "Failed", exitCode, podReason, message);

    /// <summary>The trainer container cannot be created: the pod stays Pending with the container waiting, as a kubelet shows it.</summary>
    public Task CannotCreateAsync(string pod, string reason, string message) =>
        SetAsync(pod, "Pending", state: new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } });

    public Task SetAsync(string pod, string phase, int? exitCode = null, string? podReason = null, string? message = null, JsonObject? state = null)
    {
        state ??= exitCode is { } code
            ? new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = code == 0 ? "Completed" : "Error", ["message"] = message } }
            : new JsonObject { ["running"] = new JsonObject() };
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = TrainerPodTemplate.ContainerName,
                ["ready"] = state.ContainsKey("running"),
                ["restartCount"] = 0,
                ["image"] = "llama-trainer:test",
                ["imageID"] = "",
                ["state"] = state,
            }),
        };
        if (podReason is not null)
        {
            status["reason"] = podReason;
        }

        var patch = new JsonObject { ["status"] = status }.ToJsonString();
        return client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), pod, ns);
    }
}
