using LlamaTrainer.Data.Corpus;
using LlamaTrainer.Data.Tokenization;

namespace LlamaTrainer.Data.Eval;

/// <summary>
/// Builds needle-in-a-haystack probes: BOS, filler sentences with one fact ("The code of the blue door is 4821.")
/// at a given depth, then the question; the answer is the fact's value. Depth 0 puts the fact right after BOS,
/// depth 1 right before the question. Long-context stages are gated on solving these at every depth.
/// </summary>
public static class NeedleInHaystack
{
    public static NeedleTask Build(TextTokenizer tokenizer, int contextLength, double depthFraction, int seed)
    {
        if (!(depthFraction >= 0 && depthFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(depthFraction), depthFraction, "depth fraction must be in [0, 1]");
        }

        var random = new DeterministicRandom((ulong)seed ^ 0x6E65_6564_6C65ul);
        var color = random.Pick(Phrases.Colors);
        var thing = random.Pick(Phrases.Things);
        var value = random.Next(1000, 10_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var needle = " " + Phrases.CodeStatement(color, thing, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        var question = $" What is the code of the {color} {thing}? " + Phrases.CodePrompt(color, thing);
        var needleTokens = tokenizer.Encode(needle);
        var questionTokens = tokenizer.Encode(question);
        var answerTokens = tokenizer.Encode(" " + value);

        var fillerLength = contextLength - 1 - needleTokens.Length - questionTokens.Length - answerTokens.Length;
        if (fillerLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength,
                $"context length must be at least {contextLength - fillerLength} tokens to hold BOS, the needle, the question and the answer");
        }

        var filler = FillerTokens(tokenizer, random, fillerLength, out var sentenceEnds);
        // The needle goes at the sentence boundary nearest the requested depth.
        var target = depthFraction * fillerLength;
        var cut = sentenceEnds.Prepend(0).Where(e => e <= fillerLength).MinBy(e => Math.Abs(e - target));

        var prompt = new List<int>(contextLength) { tokenizer.BosId };
        prompt.AddRange(filler[..cut]);
        var needleIndex = prompt.Count;
        prompt.AddRange(needleTokens);
        prompt.AddRange(filler[cut..fillerLength]);
        prompt.AddRange(questionTokens);
        return new NeedleTask([.. prompt], answerTokens, depthFraction, needleIndex, needle.Trim(), question.Trim(), value);
    }

    /// <summary>Filler sentences, tokenized one by one, until at least <paramref name="length"/> tokens.</summary>
    private static int[] FillerTokens(TextTokenizer tokenizer, DeterministicRandom random, int length, out List<int> sentenceEnds)
    {
        var tokens = new List<int>(length + 32);
        sentenceEnds = [];
        while (tokens.Count < length)
        {
            tokens.AddRange(tokenizer.Encode(" " + Phrases.FillerSentence(random)));
            sentenceEnds.Add(tokens.Count);
        }

        return [.. tokens];
    }
}
