using k8s;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Tests.Support;

namespace LlamaOperator.Operator.Tests.Hosting;

/// <summary>A kind the cluster does not serve (a PodGroup CRD not installed) is skipped instead of blocking the caches' sync.</summary>
public sealed class OptionalKindTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task A_served_kind_is_watched_and_a_missing_one_is_skipped()
    {
        using var client = fixture.Client();

        var installed = await OptionalKind.IsServedAsync("podgroups", ct => client.CustomObjects.ListClusterCustomObjectAsync("scheduling.x-k8s.io", "v1alpha1", "podgroups", limit: 1, cancellationToken: ct), Serilog.Core.Logger.None, default);
        var missing = await OptionalKind.IsServedAsync("widgets", ct => client.CustomObjects.ListClusterCustomObjectAsync("example.com", "v1", "widgets", limit: 1, cancellationToken: ct), Serilog.Core.Logger.None, default);

        Assert.True(installed);
        Assert.False(missing);
    }

    [Fact]
    public async Task An_unreachable_api_server_is_an_error_not_a_missing_kind()
    {
        using var unreachable = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => OptionalKind.IsServedAsync("nodes", ct => unreachable.CoreV1.ListNodeAsync(limit: 1, cancellationToken: ct), Serilog.Core.Logger.None, default));
    }
}
