namespace LlamaTrainer.Data.Shards;

/// <summary>
/// One shard in memory: documents laid end to end in <see cref="Tokens"/>; document d is
/// Tokens[DocumentStarts[d] .. DocumentStarts[d + 1]) and DocumentStarts ends with Tokens.Length.
/// </summary>
public sealed class TokenShard
{
    public TokenShard(string tokenizerName, int vocabSize, int[] tokens, int[] documentStarts)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerName);
        if (documentStarts.Length == 0 || documentStarts[0] != 0 || documentStarts[^1] != tokens.Length)
        {
            throw new ArgumentException($"document starts must begin at 0 and end at the token count {tokens.Length}", nameof(documentStarts));
        }

        TokenizerName = tokenizerName;
        VocabSize = vocabSize;
        Tokens = tokens;
        DocumentStarts = documentStarts;
    }

    public string TokenizerName { get; }

    public int VocabSize { get; }

    public int[] Tokens { get; }

    public int[] DocumentStarts { get; }

    public int DocumentCount => DocumentStarts.Length - 1;

    public ReadOnlyMemory<int> Document(int index) =>
        Tokens.AsMemory(DocumentStarts[index], DocumentStarts[index + 1] - DocumentStarts[index]);
}
