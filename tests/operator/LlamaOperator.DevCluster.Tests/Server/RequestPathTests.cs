using LlamaOperator.DevCluster.Server;

namespace LlamaOperator.DevCluster.Tests.Server;

public class RequestPathTests
{
    [Theory]
    [InlineData("/api/v1/pods", "", "v1", null, "pods", null, null)]
    [InlineData("/api/v1/namespaces", "", "v1", null, "namespaces", null, null)]
    [InlineData("/api/v1/namespaces/ns1", "", "v1", null, "namespaces", "ns1", null)]
    [InlineData("/api/v1/namespaces/ns1/status", "", "v1", null, "namespaces", "ns1", "status")]
    [InlineData("/api/v1/namespaces/ns1/pods", "", "v1", "ns1", "pods", null, null)]
    [InlineData("/api/v1/namespaces/ns1/pods/p/log", "", "v1", "ns1", "pods", "p", "log")]
    [InlineData("/apis/example.dev/v1/namespaces/a/widgets/w/status", "example.dev", "v1", "a", "widgets", "w", "status")]
    [InlineData("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y", "apiextensions.k8s.io", "v1", null, "customresourcedefinitions", "x.y", null)]
    [InlineData("/apis/example.dev/v1", "example.dev", "v1", null, null, null, null)]
    public void Parses_resource_urls(string path, string group, string version, string? ns, string? resource, string? name, string? sub) =>
        Assert.Equal(new RequestPath(group, version, ns, resource, name, sub), RequestPath.Parse(path));

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/apis/example.dev")]
    public void Other_paths_are_not_resource_urls(string path) => Assert.Null(RequestPath.Parse(path));
}
