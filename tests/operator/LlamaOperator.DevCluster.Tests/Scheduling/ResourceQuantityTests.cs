using LlamaOperator.DevCluster.Scheduling;

namespace LlamaOperator.DevCluster.Tests.Scheduling;

public class ResourceQuantityTests
{
    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1Ki", 1024)]
    [InlineData("16Gi", 17179869184)]
    [InlineData("1G", 1e9)]
    [InlineData("1e3", 1000)]
    public void Parses_kubernetes_quantities(string text, double expected) =>
        Assert.Equal((decimal)expected, ResourceQuantity.Parse(text, "cpu"));

    [Fact]
    public void Bad_quantity_names_the_field() =>
        Assert.Contains("resources.requests[cpu]", Assert.Throws<FormatException>(() => ResourceQuantity.Parse("lots", "resources.requests[cpu]")).Message);
}
