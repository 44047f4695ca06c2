using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "trainer", ["tier"] = "gpu", ["rank"] = "0" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=trainer", true)]
    [InlineData("app==trainer,tier=gpu", true)]
    [InlineData("app!=trainer", false)]
    [InlineData("missing!=x", true)]
    [InlineData("tier in (cpu, gpu)", true)]
    [InlineData("tier notin (gpu)", false)]
    [InlineData("rank", true)]
    [InlineData("!rank", false)]
    [InlineData("!missing,app in (trainer)", true)]
    public void Matches_the_query_string_form(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Fact]
    public void Matches_the_api_form()
    {
        var selector = LabelSelector.FromApi((JsonObject)JsonNode.Parse("""
            {"matchLabels":{"app":"trainer"},"matchExpressions":[{"key":"tier","operator":"In","values":["gpu"]},{"key":"x","operator":"DoesNotExist"}]}
            """)!);
        Assert.True(selector.Matches(Labels));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "trainer" }));
    }

    [Fact]
    public void Bad_set_syntax_names_the_term()
    {
        var error = Assert.Throws<SelectorException>(() => LabelSelector.Parse("tier within (a)"));
        Assert.Contains("tier within (a)", error.Message);
    }
}
