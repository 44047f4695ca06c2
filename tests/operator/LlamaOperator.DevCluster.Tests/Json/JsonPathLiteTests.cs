using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Json;

namespace LlamaOperator.DevCluster.Tests.Json;

public class JsonPathLiteTests
{
    private static readonly JsonNode Pod = JsonNode.Parse("""
        {"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:2"}],"replicas":3},
         "status":{"conditions":[{"type":"Scheduled","status":"True"},{"type":"Ready","status":"False"}]}}
        """)!;

    [Theory]
    [InlineData(".spec.replicas", "3")]
    [InlineData(".spec.containers[1].image", "y:2")]
    [InlineData(".spec.containers[-1].name", "b")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "False")]
    [InlineData("{.status.conditions[?(@.type=='Scheduled')].status}", "True")]
    [InlineData(".spec.missing", null)]
    public void Evaluates_printer_column_paths(string path, string? expected) =>
        Assert.Equal(expected, JsonPathLite.ScalarText(JsonPathLite.Evaluate(Pod, path)));
}
