using System.Text.Json;
using System.Text.Json.Serialization;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Storage.Progress;

namespace LlamaTrainer.Storage;

/// <summary>
/// Source-generated serializers for the stored documents, so that trimmed or native-AOT hosts (where reflection
/// serialization is off) read and write them too. A diverging run has a NaN loss, hence named float literals.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(JsonStringEnumConverter<TrainerState>), typeof(JsonStringEnumConverter<ElementType>)])]
[JsonSerializable(typeof(CheckpointManifest))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(TensorIndex))]
[JsonSerializable(typeof(RankShard))]
internal sealed partial class StoredJsonContext : JsonSerializerContext;
