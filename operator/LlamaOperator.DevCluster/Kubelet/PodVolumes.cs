using System.Text;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Materialises a pod's volumes as folders under <c>POD/volumes/NAME</c>: configMap and secret volumes get one file per
/// key (or per <c>items</c> entry, with defaultMode/mode), emptyDir an empty folder that outlives container restarts,
/// hostPath the host path itself. The contents are written once when the pod starts (a real kubelet also refreshes
/// them later). Other volume types and missing non-optional sources are errors that keep the pod from starting.
/// </summary>
public sealed class PodVolumes(ObjectStore store)
{
    private const int DefaultMode = 420; // 0644, as the API server defaults defaultMode

    /// <summary>Volume name -> host folder, or the first problem ("volume NAME: ...").</summary>
    public (IReadOnlyDictionary<string, string> Folders, string? Error) Materialize(JsonObject pod, string podDirectory)
    {
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)volume["name"] ?? "";
            var folder = Path.Combine(podDirectory, "volumes", name);
            string? error;
            if (volume["configMap"] is JsonObject configMap)
            {
                error = WriteKeys(folder, configMap, (string?)configMap["name"] ?? "", "configmap", ConfigMapFiles(Meta.Namespace(pod), (string?)configMap["name"] ?? ""));
            }
            else if (volume["secret"] is JsonObject secret)
            {
                error = WriteKeys(folder, secret, (string?)secret["secretName"] ?? "", "secret", SecretFiles(Meta.Namespace(pod), (string?)secret["secretName"] ?? ""));
            }
            else if (volume["emptyDir"] is JsonObject)
            {
                Directory.CreateDirectory(folder);
                error = null;
            }
            else if (volume["hostPath"] is JsonObject hostPath)
            {
                folder = (string?)hostPath["path"] ?? "";
                error = folder.Length == 0 ? "hostPath.path is empty" : null;
            }
            else
            {
                error = $"type {string.Join(", ", volume.Select(p => p.Key).Where(k => k != "name"))} is not supported by the dev cluster's kubelet (configMap, secret, emptyDir, hostPath are)";
            }
            if (error is not null)
            {
                return (folders, $"volume {name}: {error}");
            }
            folders[name] = folder;
        }
        return (folders, null);
    }

    /// <summary>The container's mounts over the pod's volume folders (subPath inside the folder), or the first problem.</summary>
    public static (IReadOnlyList<(string MountPath, string HostPath)> Mounts, string? Error) MountsOf(JsonObject container, IReadOnlyDictionary<string, string> folders)
    {
        var mounts = new List<(string, string)>();
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)mount["name"] ?? "";
            var mountPath = (string?)mount["mountPath"] ?? "";
            if (!folders.TryGetValue(name, out var folder))
            {
                return ([], $"volumeMount {mountPath}: the pod has no volume \"{name}\"");
            }
            var subPath = (string?)mount["subPath"];
            mounts.Add((mountPath, string.IsNullOrEmpty(subPath) ? folder : Path.Combine(folder, subPath)));
        }
        return (mounts, null);
    }

    private Dictionary<string, byte[]>? ConfigMapFiles(string ns, string name)
    {
        var configMap = store.Get(BuiltInKinds.ConfigMaps, ns, name)?.ToJson();
        if (configMap is null)
        {
            return null;
        }
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap["data"] as JsonObject ?? [])
        {
            files[key] = Encoding.UTF8.GetBytes((string?)value ?? "");
        }
        foreach (var (key, value) in configMap["binaryData"] as JsonObject ?? [])
        {
            files[key] = Convert.FromBase64String((string?)value ?? "");
        }
        return files;
    }

    private Dictionary<string, byte[]>? SecretFiles(string ns, string name)
    {
        var secret = store.Get(BuiltInKinds.Secrets, ns, name)?.ToJson();
        return secret is null
            ? null
            : (secret["data"] as JsonObject ?? []).ToDictionary(p => p.Key, p => Convert.FromBase64String((string?)p.Value ?? ""), StringComparer.Ordinal);
    }

    private static string? WriteKeys(string folder, JsonObject source, string sourceName, string kind, Dictionary<string, byte[]>? files)
    {
        var optional = source["optional"]?.GetValue<bool>() == true;
        if (files is null && !optional)
        {
            return $"{kind} \"{sourceName}\" not found";
        }
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        files ??= [];
        var defaultMode = source["defaultMode"]?.GetValue<int>() ?? DefaultMode;
        var entries = source["items"] is JsonArray items
            ? items.OfType<JsonObject>().Select(i => (Key: (string?)i["key"] ?? "", Path: (string?)i["path"] ?? "", Mode: i["mode"]?.GetValue<int>() ?? defaultMode))
            : files.Keys.Select(k => (Key: k, Path: k, Mode: defaultMode));
        foreach (var (key, path, mode) in entries)
        {
            if (!files.TryGetValue(key, out var content))
            {
                if (optional)
                {
                    continue;
                }
                return $"{kind} \"{sourceName}\" has no key \"{key}\"";
            }
            if (path.Length == 0 || Path.IsPathRooted(path) || path.Split('/').Contains(".."))
            {
                return $"items path \"{path}\" must be a relative path without '..'";
            }
            var file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, (UnixFileMode)(mode & 0x1FF));
            }
        }
        return null;
    }
}
