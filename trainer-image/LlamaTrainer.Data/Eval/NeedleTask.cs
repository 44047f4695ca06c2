namespace LlamaTrainer.Data.Eval;

/// <summary>
/// One needle-in-a-haystack probe: feed <see cref="PromptTokens"/> followed by <see cref="AnswerTokens"/> (together
/// exactly the context length) and check that the model's greedy prediction at each answer position is that answer
/// token (<see cref="IsAnsweredBy"/>).
/// </summary>
public sealed record NeedleTask(
    int[] PromptTokens,
    int[] AnswerTokens,
    double DepthFraction,
    int NeedleTokenIndex,
    string Needle,
    string Question,
    string Answer)
{
    public int ContextLength => PromptTokens.Length + AnswerTokens.Length;

    /// <summary>
    /// True when <paramref name="predictedAnswer"/> (the argmax tokens the model predicts for the answer positions,
    /// i.e. at prompt positions Length-1 .. Length+AnswerTokens.Length-2 under teacher forcing) equals the answer.
    /// </summary>
    public bool IsAnsweredBy(ReadOnlySpan<int> predictedAnswer) => predictedAnswer.SequenceEqual(AnswerTokens);
}
