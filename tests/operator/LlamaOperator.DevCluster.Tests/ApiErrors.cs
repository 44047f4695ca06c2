using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>Asserts a KubernetesClient call fails with a given HTTP code and returns the Status body.</summary>
public static class ApiErrors
{
    public static async Task<JsonObject> Expect(HttpStatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, error.Response.StatusCode);
        return (JsonObject)JsonNode.Parse(error.Response.Content)!;
    }
}
