using System.Text;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Resolves a pod's containers to host processes: argv through the image map, env from plain
/// values, fieldRef (metadata.name/namespace/uid/labels/annotations, spec.nodeName, status.podIP = the
/// pod's own address, hostIP = 127.0.0.1), configMapKeyRef and secretKeyRef, with $(VAR) expansion in command,
/// args and env as the real kubelet does; then volume mount paths in argv, env and workingDir become the pod's
/// volume folders, the terminationMessagePath the container's message file (POD/containers/NAME/termination-log),
/// and pod DNS names their pods' addresses (<see cref="LocalRewrites"/>).
/// </summary>
public sealed class ContainerLauncher(ImageMap images, ObjectStore store)
{
    public LaunchSpec Resolve(JsonObject pod, JsonObject container, string podDirectory, IReadOnlyDictionary<string, string> volumeFolders, PodNetwork network)
    {
        var name = (string?)container["name"] ?? "";
        var image = (string?)container["image"] ?? "";
        var env = new Dictionary<string, string>();
        foreach (var entry in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = (string?)entry["name"] ?? "";
            var (value, error) = entry["valueFrom"] is JsonObject from ? ValueFrom(pod, from, key, network) : (Expand((string?)entry["value"] ?? "", env), null);
            if (error is not null)
            {
                return new LaunchSpec(name, [], env, podDirectory, error) { Image = image };
            }
            if (value is not null)
            {
                env[key] = value;
            }
        }
        env["HOSTNAME"] = Meta.Name(pod);
        var (mountList, mountError) = PodVolumes.MountsOf(container, volumeFolders);
        if (mountError is not null)
        {
            return new LaunchSpec(name, [], env, podDirectory, mountError) { Image = image };
        }
        // The termination message file is mounted like a volume (a real kubelet bind-mounts a host file there).
        var messagePath = (string?)container["terminationMessagePath"];
        var messageFile = string.IsNullOrEmpty(messagePath) ? null : Path.Combine(podDirectory, "containers", name, "termination-log");
        var mounts = new LocalRewrites(messageFile is null ? mountList : [.. mountList, (messagePath!, messageFile)], network.DnsNames);
        var command = Strings(container["command"]).Select(s => mounts.Rewrite(Expand(s, env))).ToList();
        var args = Strings(container["args"]).Select(s => mounts.Rewrite(Expand(s, env))).ToList();
        var (argv, resolveError) = images.Resolve(image, command, args);
        foreach (var key in env.Keys.ToList())
        {
            env[key] = mounts.Rewrite(env[key]);
        }
        return new LaunchSpec(name, argv ?? [], env, WorkingDirectory(container, podDirectory, mounts), resolveError)
        {
            Image = image,
            TerminationMessageFile = messageFile,
            FallbackToLogsOnError = (string?)container["terminationMessagePolicy"] == "FallbackToLogsOnError",
        };
    }

    /// <summary>workingDir inside a mount is that mount's folder; any other workingDir a subfolder of the pod's folder.</summary>
    private static string WorkingDirectory(JsonObject container, string podDirectory, LocalRewrites mounts)
    {
        if ((string?)container["workingDir"] is not { Length: > 0 } dir)
        {
            return podDirectory;
        }
        return mounts.HostPathOf(dir) ?? Path.Combine(podDirectory, dir.TrimStart('/'));
    }

    private (string? Value, string? Error) ValueFrom(JsonObject pod, JsonObject from, string key, PodNetwork network)
    {
        if (from["fieldRef"] is JsonObject fieldRef)
        {
            var path = (string?)fieldRef["fieldPath"] ?? "";
            return path switch
            {
                "metadata.name" => (Meta.Name(pod), null),
                "metadata.namespace" => (Meta.Namespace(pod), null),
                "metadata.uid" => ((string?)pod["metadata"]?["uid"], null),
                "spec.nodeName" => ((string?)pod["spec"]?["nodeName"], null),
                "spec.serviceAccountName" => ((string?)pod["spec"]?["serviceAccountName"] ?? "default", null),
                "status.podIP" or "status.podIPs" => (network.PodIp, null),
                "status.hostIP" or "status.hostIPs" => (PodNetwork.HostIp, null),
                _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => (Meta.Labels(pod).GetValueOrDefault(path[17..^2]), null),
                _ when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) => (Meta.StringMap(pod["metadata"]?["annotations"]).GetValueOrDefault(path[22..^2]), null),
                _ => (null, $"env {key}: fieldRef {path} is not supported"),
            };
        }
        if (from["configMapKeyRef"] is JsonObject cmRef)
        {
            var data = store.Get(BuiltInKinds.ConfigMaps, Meta.Namespace(pod), (string?)cmRef["name"] ?? "")?.ToJson()["data"];
            var value = (string?)data?[(string?)cmRef["key"] ?? ""];
            return value is null && cmRef["optional"]?.GetValue<bool>() != true
                ? (null, $"env {key}: configmap \"{(string?)cmRef["name"]}\" key \"{(string?)cmRef["key"]}\" not found")
                : (value, null);
        }
        if (from["secretKeyRef"] is JsonObject secretRef)
        {
            var data = store.Get(BuiltInKinds.Secrets, Meta.Namespace(pod), (string?)secretRef["name"] ?? "")?.ToJson()["data"];
            var encoded = (string?)data?[(string?)secretRef["key"] ?? ""];
            return encoded is null && secretRef["optional"]?.GetValue<bool>() != true
                ? (null, $"env {key}: secret \"{(string?)secretRef["name"]}\" key \"{(string?)secretRef["key"]}\" not found")
                : (encoded is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), null);
        }
        if (from["resourceFieldRef"] is JsonObject)
        {
            return ("0", null);
        }
        return (null, $"env {key}: valueFrom has no supported source");
    }

    /// <summary>$(VAR) expands to a variable defined earlier; $$(VAR) is an escaped literal; unknown stays as is.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env)
    {
        if (!text.Contains("$(", StringComparison.Ordinal))
        {
            return text;
        }
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                result.Append('$');
                i++;
                continue;
            }
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var close = text.IndexOf(')', i + 2);
                if (close > 0 && env.TryGetValue(text[(i + 2)..close], out var value))
                {
                    result.Append(value);
                    i = close;
                    continue;
                }
            }
            result.Append(text[i]);
        }
        return result.ToString();
    }

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? array.Select(s => (string?)s ?? "").ToList() : [];
}
