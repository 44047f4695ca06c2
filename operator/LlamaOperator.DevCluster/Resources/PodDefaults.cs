using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>What the real server fills into a new pod, and the checks it makes that a user can trip over.</summary>
internal static class PodDefaults
{
    public static void Apply(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject ?? [];
        pod["spec"] = spec;
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["schedulerName"] ??= "default-scheduler";
        spec["dnsPolicy"] ??= "ClusterFirst";
        foreach (var container in (spec["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            container["terminationMessagePath"] ??= "/dev/termination-log";
            container["terminationMessagePolicy"] ??= "File";
        }

        pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
    }

    public static IReadOnlyList<FieldError> Check(JsonObject pod)
    {
        var errors = new List<FieldError>();
        if (pod["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required("spec.containers"));
            return errors;
        }
        var names = new HashSet<string>();
        for (var i = 0; i < containers.Count; i++)
        {
            var name = (string?)containers[i]?["name"];
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required($"spec.containers[{i}].name"));
            }
            else if (!names.Add(name))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"spec.containers[{i}].name", $"Duplicate value: \"{name}\""));
            }
            if (string.IsNullOrEmpty((string?)containers[i]?["image"]))
            {
                errors.Add(FieldError.Required($"spec.containers[{i}].image"));
            }
            if ((string?)containers[i]?["terminationMessagePolicy"] is { } messagePolicy && messagePolicy is not ("File" or "FallbackToLogsOnError"))
            {
                errors.Add(FieldError.NotSupported($"spec.containers[{i}].terminationMessagePolicy", $"\"{messagePolicy}\"", ["\"File\"", "\"FallbackToLogsOnError\""]));
            }
        }
        var policy = (string?)pod["spec"]?["restartPolicy"];
        if (policy is not (null or "Always" or "OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported("spec.restartPolicy", $"\"{policy}\"", ["\"Always\"", "\"Never\"", "\"OnFailure\""]));
        }
        return errors;
    }
}
