using System.Text;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Server;

/// <summary>
/// Decodes the protobuf bodies kubectl's imperative generators send (`kubectl create namespace |
/// configmap | secret`) and Helm sends to create and update its release Secrets: the "k8s\0" envelope
/// (runtime.Unknown) around a Namespace, ConfigMap or Secret, reading only the fields those clients set
/// (metadata name/generateName/namespace/resourceVersion/labels/annotations/finalizers, data,
/// binaryData, stringData, type, immutable). Other kinds are 415.
/// </summary>
public static class ProtobufBodies
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(ReadOnlySpan<byte> body, ResourceKind kind)
    {
        var raw = Raw(body);
        var obj = new JsonObject { ["apiVersion"] = kind.ApiVersion, ["kind"] = kind.Kind };
        foreach (var (field, value) in Fields(raw))
        {
            switch (kind.Kind, field)
            {
                case (_, 1):
                    obj["metadata"] = Metadata(value);
                    break;
                case ("ConfigMap", 2):
                    AddEntry(obj, "data", value, base64: false);
                    break;
                case ("ConfigMap", 3) or ("Secret", 2):
                    AddEntry(obj, kind.Kind == "Secret" ? "data" : "binaryData", value, base64: true);
                    break;
                case ("Secret", 3):
                    obj["type"] = Encoding.UTF8.GetString(value);
                    break;
                case ("Secret", 4):
                    AddEntry(obj, "stringData", value, base64: false);
                    break;
                case ("ConfigMap", 4) or ("Secret", 5):
                    obj["immutable"] = value.Length > 0 && value[0] != 0;
                    break;
                case ("Namespace", _):
                    break;
                default:
                    if (kind.Kind is not ("ConfigMap" or "Secret"))
                    {
                        throw new ApiException(415, "UnsupportedMediaType", $"the dev cluster decodes protobuf only for namespaces, configmaps and secrets; send {kind.Plural} as application/json");
                    }
                    break;
            }
        }
        if (kind.Kind is not ("Namespace" or "ConfigMap" or "Secret"))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the dev cluster decodes protobuf only for namespaces, configmaps and secrets; send {kind.Plural} as application/json");
        }
        return obj;
    }

    /// <summary>A protobuf DeleteOptions (Helm deletes its release Secrets with one), as the JSON body it stands for.</summary>
    public static JsonObject DecodeDeleteOptions(ReadOnlySpan<byte> body)
    {
        var options = new JsonObject();
        foreach (var (field, value) in Fields(Raw(body)))
        {
            switch (field)
            {
                case 1:
                    options["gracePeriodSeconds"] = BitConverter.ToInt64(value);
                    break;
                case 2:
                    var preconditions = new JsonObject();
                    foreach (var (f, v) in Fields(value))
                    {
                        preconditions[f == 1 ? "uid" : "resourceVersion"] = Encoding.UTF8.GetString(v);
                    }
                    options["preconditions"] = preconditions;
                    break;
                case 3:
                    options["orphanDependents"] = value[0] != 0;
                    break;
                case 4:
                    options["propagationPolicy"] = Encoding.UTF8.GetString(value);
                    break;
            }
        }
        return options;
    }

    /// <summary>The object bytes inside the "k8s\0" envelope (runtime.Unknown field 2).</summary>
    private static ReadOnlySpan<byte> Raw(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("protobuf body without the k8s envelope");
        }
        var raw = ReadOnlySpan<byte>.Empty;
        foreach (var (field, value) in Fields(body[Magic.Length..]))
        {
            if (field == 2)
            {
                raw = value;
            }
        }
        return raw;
    }

    private static JsonObject Metadata(ReadOnlySpan<byte> message)
    {
        var metadata = new JsonObject();
        foreach (var (field, value) in Fields(message))
        {
            switch (field)
            {
                case 1:
                    metadata["name"] = Encoding.UTF8.GetString(value);
                    break;
                case 2:
                    metadata["generateName"] = Encoding.UTF8.GetString(value);
                    break;
                case 3:
                    metadata["namespace"] = Encoding.UTF8.GetString(value);
                    break;
                case 6:
                    metadata["resourceVersion"] = Encoding.UTF8.GetString(value);
                    break;
                case 11:
                    AddEntry(metadata, "labels", value, base64: false);
                    break;
                case 12:
                    AddEntry(metadata, "annotations", value, base64: false);
                    break;
                case 14:
                    if (metadata["finalizers"] is not JsonArray finalizers)
                    {
                        finalizers = [];
                        metadata["finalizers"] = finalizers;
                    }
                    finalizers.Add(Encoding.UTF8.GetString(value));
                    break;
            }
        }
        return metadata;
    }

    private static void AddEntry(JsonObject target, string name, ReadOnlySpan<byte> entry, bool base64)
    {
        string key = "", text = "";
        foreach (var (field, value) in Fields(entry))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(value);
            }
            else if (field == 2)
            {
                text = base64 ? Convert.ToBase64String(value) : Encoding.UTF8.GetString(value);
            }
        }
        if (target[name] is not JsonObject map)
        {
            map = [];
            target[name] = map;
        }
        map[key] = text;
    }

    /// <summary>The fields of one protobuf message: number and payload (a varint as its value's 8 little-endian bytes).</summary>
    private static List<(int Field, byte[] Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    var number = Varint(message, ref at);
                    fields.Add((field, BitConverter.IsLittleEndian ? BitConverter.GetBytes(number) : [.. BitConverter.GetBytes(number).Reverse()]));
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if (length < 0 || at + length > message.Length)
                    {
                        throw ApiException.BadRequest("truncated protobuf body");
                    }
                    fields.Add((field, message.Slice(at, length).ToArray()));
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"unsupported protobuf wire type {key & 7}");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64 && at < data.Length; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw ApiException.BadRequest("truncated protobuf varint");
    }
}
