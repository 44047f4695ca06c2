using LlamaOperator.DevCluster.Audit;

namespace LlamaOperator.DevCluster.Tests.Audit;

public class RequestAttributesTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/ns/pods/p/log", null, "get", "", "pods/log", "ns", "p")]
    [InlineData("POST", "/api/v1/namespaces/ns/pods/p/binding", null, "create", "", "pods/binding", "ns", "p")]
    [InlineData("GET", "/apis/coordination.k8s.io/v1/namespaces/ops/leases/llama-operator", null, "get", "coordination.k8s.io", "leases", "ops", "llama-operator")]
    [InlineData("PUT", "/apis/llamaoperator.dev/v1alpha1/namespaces/ml/llamatrainingjobs/j/status", null, "update", "llamaoperator.dev", "llamatrainingjobs/status", "ml", "j")]
    [InlineData("GET", "/apis/llamaoperator.dev/v1alpha1/llamatrainingjobs", "true", "watch", "llamaoperator.dev", "llamatrainingjobs", "", "")]
    [InlineData("GET", "/api/v1/nodes", "1", "watch", "", "nodes", "", "")]
    [InlineData("GET", "/api/v1/namespaces/ml", null, "get", "", "namespaces", "ml", "ml")]
    [InlineData("DELETE", "/api/v1/namespaces/ml/pods", null, "deletecollection", "", "pods", "ml", "")]
    public void Resource_requests_resolve_like_the_api_servers_request_info(string method, string path, string? watch, string verb, string group, string resource, string ns, string name)
    {
        var record = RequestAttributes.Resolve(method, path, watch, "Bearer system:serviceaccount:ops:op");
        Assert.Equal((verb, group, resource, ns, name), (record.Verb, record.ApiGroup, record.QualifiedResource, record.Namespace, record.Name));
        Assert.Equal("system:serviceaccount:ops:op", record.User);
    }

    [Theory]
    [InlineData("/apis")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps")]
    [InlineData("/version")]
    public void Discovery_is_a_non_resource_request(string path)
    {
        var record = RequestAttributes.Resolve("GET", path, null, null);
        Assert.False(record.IsResourceRequest);
        Assert.Equal(path, record.Path);
        Assert.Equal(RequestAttributes.Anonymous, record.User);
    }
}
