using System.Diagnostics;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>One container of a running pod: its current process, restart count and last states, as containerStatuses reports them.</summary>
internal sealed class ContainerRun(LaunchSpec spec, LogBuffer log)
{
    public LaunchSpec Spec { get; } = spec;
    public LogBuffer Log { get; } = log;
    public Process? Process { get; set; }
    public int RestartCount { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public JsonObject? Terminated { get; set; }
    public JsonObject? LastTerminated { get; set; }
    public string? WaitingReason { get; set; }
    public string? WaitingMessage { get; set; }

    /// <summary>Failed attempts to create the container (it never ran: no restart counted), for the back-off.</summary>
    public int CreateFailures { get; set; }

    /// <summary>Exited and will not be restarted.</summary>
    public bool Done { get; set; }

    public int? ExitCode => Terminated?["exitCode"]?.GetValue<int>();

    public JsonObject Status()
    {
        JsonObject state;
        if (Process is not null && Terminated is null)
        {
            state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Meta.Timestamp(StartedAt!.Value) } };
        }
        else if (WaitingReason is not null)
        {
            state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = WaitingReason, ["message"] = WaitingMessage } };
        }
        else if (Terminated is not null)
        {
            state = new JsonObject { ["terminated"] = Terminated.DeepClone() };
        }
        else
        {
            state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } };
        }
        var running = state.ContainsKey("running");
        var status = new JsonObject
        {
            ["name"] = Spec.Container,
            ["image"] = Spec.Image,
            ["imageID"] = "process://" + Spec.Image,
            ["containerID"] = Process is null ? null : $"process://{Process.Id}",
            ["ready"] = running,
            ["started"] = running,
            ["restartCount"] = RestartCount,
            ["state"] = state,
            ["lastState"] = LastTerminated is null ? new JsonObject() : new JsonObject { ["terminated"] = LastTerminated.DeepClone() },
        };
        return status;
    }
}
