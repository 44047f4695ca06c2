using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Tests.Selectors;

public class FieldSelectorTests
{
    private static readonly string[] Selectable = ["metadata.name", "metadata.namespace", "status.phase"];

    [Theory]
    [InlineData("metadata.name=a", true)]
    [InlineData("metadata.name==a,status.phase=Running", true)]
    [InlineData("status.phase!=Running", false)]
    [InlineData("metadata.name=b", false)]
    public void Matches_equality_terms(string selector, bool expected)
    {
        var fields = new Dictionary<string, string> { ["metadata.name"] = "a", ["metadata.namespace"] = "ns", ["status.phase"] = "Running" };
        Assert.Equal(expected, FieldSelector.Parse(selector, Selectable, "pods").Matches(fields));
    }

    [Fact]
    public void Unsupported_field_is_refused_by_name()
    {
        var error = Assert.Throws<SelectorException>(() => FieldSelector.Parse("spec.foo=x", Selectable, "pods"));
        Assert.Contains("field label not supported: spec.foo", error.Message);
    }
}
