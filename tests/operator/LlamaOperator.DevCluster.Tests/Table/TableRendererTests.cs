using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Table;

namespace LlamaOperator.DevCluster.Tests.Table;

public class TableRendererTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(150, "2m30s")]
    [InlineData(47 * 60, "47m")]
    [InlineData(5 * 3600 + 180, "5h3m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400, "3d")]
    [InlineData(800 * 86400, "2y")]
    public void Ages_read_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Crd_printer_columns_become_table_cells()
    {
        var crd = (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"widgets.example.dev"},"spec":{"group":"example.dev","scope":"Namespaced",
             "names":{"plural":"widgets","kind":"Widget"},
             "versions":[{"name":"v1","served":true,"storage":true,"additionalPrinterColumns":[
               {"name":"Size","type":"integer","jsonPath":".spec.size"},
               {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},
               {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]}]}}
            """)!;
        var kind = Assert.Single(CrdKinds.FromCrd(crd));
        var widget = (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"w1","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"size":3},
             "status":{"conditions":[{"type":"Ready","status":"True"}]}}
            """)!;
        var table = TableRenderer.Render(kind, [widget], "7", "Metadata", DateTimeOffset.Parse("2026-01-01T00:01:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["Name", "Size", "Ready", "Age"], ((JsonArray)table["columnDefinitions"]!).Select(c => (string?)c!["name"]));
        var cells = (JsonArray)table["rows"]![0]!["cells"]!;
        Assert.Equal("""["w1",3,"True","60s"]""", cells.ToJsonString());
        Assert.Equal("PartialObjectMetadata", (string?)table["rows"]![0]!["object"]!["kind"]);
    }
}
