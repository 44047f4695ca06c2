using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data.Tokenization;

namespace LlamaTrainer.Job;

/// <summary>The tokenizer spec.tokenizer names: the one that prepares the job's raw data and builds its needle probes.</summary>
public static class JobTokenizer
{
    /// <summary>The name the job's tokenizer records in shards (see <see cref="TextTokenizer.Name"/>), without loading it.</summary>
    public static string Name(LlamaTrainingJob job) => JobResolver.Resolve(job).Tokenizer.Kind switch
    {
        TokenizerKind.Bytes => TextTokenizer.BytesName,
        TokenizerKind.Llama3 => TextTokenizer.Llama3Name,
        _ => TextTokenizer.Cl100kBaseName,
    };

    /// <param name="manifestFolder">folder that a relative Llama 3 tokenizer.model path is relative to</param>
    public static TextTokenizer Load(LlamaTrainingJob job, string manifestFolder) => JobResolver.Resolve(job).Tokenizer switch
    {
        { Kind: TokenizerKind.Bytes } => TextTokenizer.Bytes(),
        { Kind: TokenizerKind.Llama3, Uri: { } uri } => TextTokenizer.Llama3(JobLocations.DataUri(uri, manifestFolder)),
        { Kind: TokenizerKind.Llama3 } => throw new InvalidDataException("spec.tokenizer.uri: expected the location of a Llama 3 tokenizer.model when kind is Llama3"),
        _ => TextTokenizer.Cl100kBase(),
    };
}
