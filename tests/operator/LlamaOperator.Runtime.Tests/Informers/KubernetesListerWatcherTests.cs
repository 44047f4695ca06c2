using k8s.Autorest;
using k8s.Models;
using LlamaOperator.Runtime.Informers;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Informers;

public class KubernetesListerWatcherTests
{
    [Fact]
    public async Task Lists_page_by_page_within_the_scope_and_watches_from_the_last_page_version()
    {
        var requests = new List<ListRequest>();
        var pages = new Queue<V1ConfigMapList>([
            new V1ConfigMapList { Items = [ConfigMap("a", "1"), ConfigMap("b", "2")], Metadata = new V1ListMeta { ContinueProperty = "page2", ResourceVersion = "40" } },
            new V1ConfigMapList { Items = [ConfigMap("c", "3")], Metadata = new V1ListMeta { ResourceVersion = "40" } },
        ]);
        var source = new KubernetesListerWatcher<V1ConfigMap, V1ConfigMapList>(
            (request, _) =>
            {
                requests.Add(request);
                return Task.FromResult(new HttpOperationResponse<V1ConfigMapList> { Body = pages.Dequeue() });
            },
            new ListRequest { Namespace = "team", LabelSelector = "app=llama" },
            pageSize: 2);

        var result = await source.ListAsync(CancellationToken.None);

        Assert.Equal(["a", "b", "c"], result.Items.Select(i => i.Metadata.Name));
        Assert.Equal("40", result.ResourceVersion);
        Assert.Equal([null, "page2"], requests.Select(r => r.Continue));
        Assert.All(requests, r => Assert.Equal(("team", "app=llama", 2, false), (r.Namespace, r.LabelSelector, r.Limit!.Value, r.Watch)));
    }

    [Fact]
    public async Task A_list_without_a_resource_version_is_a_clear_error()
    {
        var source = new KubernetesListerWatcher<V1ConfigMap, V1ConfigMapList>(
            (_, _) => Task.FromResult(new HttpOperationResponse<V1ConfigMapList> { Body = new V1ConfigMapList { Items = [], Metadata = new V1ListMeta() } }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => source.ListAsync(CancellationToken.None));

        Assert.Contains("V1ConfigMap", error.Message, StringComparison.Ordinal);
        Assert.Contains("resourceVersion", error.Message, StringComparison.Ordinal);
    }
}
