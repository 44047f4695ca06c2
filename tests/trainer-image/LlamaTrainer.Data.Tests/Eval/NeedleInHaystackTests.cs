using LlamaTrainer.Data.Eval;
using LlamaTrainer.Data.Tokenization;

namespace LlamaTrainer.Data.Tests.Eval;

public sealed class NeedleInHaystackTests
{
    private static readonly TextTokenizer Tokenizer = TextTokenizer.Cl100kBase();

    [Theory]
    [InlineData(256, 0.0)]
    [InlineData(256, 0.5)]
    [InlineData(1024, 0.25)]
    [InlineData(1024, 1.0)]
    public void Prompt_hides_the_fact_at_the_depth_and_ends_with_the_question(int contextLength, double depth)
    {
        var task = NeedleInHaystack.Build(Tokenizer, contextLength, depth, seed: 3);

        Assert.Equal(contextLength, task.PromptTokens.Length + task.AnswerTokens.Length);
        Assert.Equal(Tokenizer.BosId, task.PromptTokens[0]);
        var prompt = Tokenizer.Decode(task.PromptTokens[1..]);
        Assert.Matches(@"^The code of the \w+ \w+ is \d{4}\.$", task.Needle);
        Assert.Equal(1, CountOf(prompt, task.Needle));
        Assert.EndsWith(task.Question, prompt);
        Assert.Equal(" " + task.Answer, Tokenizer.Decode(task.AnswerTokens));
        Assert.EndsWith(task.Answer + ".", task.Needle);

        var needleAt = (double)task.NeedleTokenIndex / contextLength;
        Assert.InRange(needleAt, depth - 0.1, depth + 0.1);
        Assert.Equal(task.Needle, Tokenizer.Decode(task.PromptTokens[task.NeedleTokenIndex..(task.NeedleTokenIndex + Tokenizer.Encode(" " + task.Needle).Length)]).Trim());
    }

    [Fact]
    public void Prompt_and_answer_tokenize_like_the_text_a_model_reads()
    {
        var task = NeedleInHaystack.Build(Tokenizer, 200, 0.3, seed: 11);

        var question = Tokenizer.Encode(" " + task.Question);
        int[] joined = [.. question, .. task.AnswerTokens];
        Assert.Equal(Tokenizer.Encode(" " + task.Question + " " + task.Answer), joined);
        Assert.True(task.IsAnsweredBy(task.AnswerTokens));
        Assert.False(task.IsAnsweredBy(task.AnswerTokens.AsSpan(0, task.AnswerTokens.Length - 1)));
    }

    [Fact]
    public void Seed_decides_the_fact_and_the_filler()
    {
        var a = NeedleInHaystack.Build(Tokenizer, 300, 0.5, seed: 1);
        var again = NeedleInHaystack.Build(Tokenizer, 300, 0.5, seed: 1);
        var others = Enumerable.Range(2, 5).Select(s => NeedleInHaystack.Build(Tokenizer, 300, 0.5, seed: s)).ToList();

        Assert.Equal(a.PromptTokens, again.PromptTokens);
        Assert.Contains(others, o => o.Answer != a.Answer);
        Assert.All(others, o => Assert.NotEqual(a.PromptTokens, o.PromptTokens));
    }

    [Fact]
    public void Bad_arguments_name_what_is_wrong()
    {
        var depth = Assert.Throws<ArgumentOutOfRangeException>(() => NeedleInHaystack.Build(Tokenizer, 256, 1.5, 0));
        Assert.Equal("depthFraction", depth.ParamName);

        var tooShort = Assert.Throws<ArgumentOutOfRangeException>(() => NeedleInHaystack.Build(Tokenizer, 10, 0.5, 0));
        Assert.Equal("contextLength", tooShort.ParamName);
        Assert.Contains("at least", tooShort.Message);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
