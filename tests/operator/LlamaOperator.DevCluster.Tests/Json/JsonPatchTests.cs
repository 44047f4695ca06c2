using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Json;

namespace LlamaOperator.DevCluster.Tests.Json;

public class JsonPatchTests
{
    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"foo":"bar","baz":"qux"}""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":"x"}]""", """{"foo":["bar","x"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""")]
    [InlineData("""{"baz":"qux"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"baz":"boo"}""")]
    [InlineData("""{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""", """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""", """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"copy","from":"/a","path":"/c"}]""", """{"a":{"b":1},"c":{"b":1}}""")]
    [InlineData("""{"metadata":{"labels":{"a/b":"x"}}}""", """[{"op":"remove","path":"/metadata/labels/a~1b"}]""", """{"metadata":{"labels":{}}}""")]
    public void Applies_rfc6902_operations(string document, string patch, string expected)
    {
        var result = JsonPatch.Apply(JsonNode.Parse(document), JsonNode.Parse(patch));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result?.ToJsonString());
    }

    [Fact]
    public void Test_operation_that_fails_rejects_the_whole_patch()
    {
        var error = Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(JsonNode.Parse("""{"a":1}"""),
            JsonNode.Parse("""[{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}]""")));
        Assert.Contains("test operation failed at /a", error.Message);
    }

    [Fact]
    public void Removing_a_missing_path_names_the_path()
    {
        var error = Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(JsonNode.Parse("{}"), JsonNode.Parse("""[{"op":"remove","path":"/spec/x"}]""")));
        Assert.Contains("/spec/x", error.Message);
    }
}
