using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>Watch semantics over HTTP: ordered events from a resourceVersion, resume, selectors, timeouts.</summary>
public class WatchTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    [Fact]
    public async Task Watch_from_a_list_resource_version_sees_later_changes_in_order()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<(WatchEventType, string, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
            {
                events.Add((type, item.Metadata.Name, (item.Data is { } d && d.TryGetValue("k", out var k) ? k : "")));
                if (events.Count == 3)
                {
                    return;
                }
            }
        });
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "w" }, Data = new Dictionary<string, string> { ["k"] = "1" } }, ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"2"}}""", V1Patch.PatchType.MergePatch), "w", ns);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("w", ns);
        await watching;
        Assert.Equal([(WatchEventType.Added, "w", "1"), (WatchEventType.Modified, "w", "2"), (WatchEventType.Deleted, "w", "2")], events);
    }

    [Fact]
    public async Task Watch_resumed_from_an_older_resource_version_replays_what_was_missed()
    {
        var ns = await fixture.NewNamespaceAsync();
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, ns);
        var lines = await RawWatch(fixture, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={first.Metadata.ResourceVersion}&timeoutSeconds=1");
        Assert.Equal(["ADDED b", "ADDED c"], lines.Select(l => $"{(string?)l["type"]} {(string?)l["object"]!["metadata"]!["name"]}"));
    }

    [Fact]
    public async Task Watch_without_resource_version_starts_with_the_current_objects()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, ns);
        var lines = await RawWatch(fixture, $"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1");
        Assert.Equal("ADDED", (string?)Assert.Single(lines)["type"]);
    }

    [Fact]
    public async Task Label_selected_watch_sees_objects_leave_and_enter_the_selection()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "s", Labels = new Dictionary<string, string> { ["role"] = "a" } } }, ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"role":"b"}}}""", V1Patch.PatchType.MergePatch), "s", ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"role":"a"}}}""", V1Patch.PatchType.MergePatch), "s", ns);
        var lines = await RawWatch(fixture, $"/api/v1/namespaces/{ns}/configmaps?watch=1&labelSelector=role%3Da&resourceVersion={created.Metadata.ResourceVersion}&timeoutSeconds=1");
        Assert.Equal(["DELETED", "ADDED"], lines.Select(l => (string?)l["type"]));
    }

    [Fact]
    public async Task Server_side_timeout_ends_the_watch()
    {
        var ns = await fixture.NewNamespaceAsync();
        var started = DateTime.UtcNow;
        var lines = await RawWatch(fixture, $"/api/v1/namespaces/{ns}/pods?watch=1&timeoutSeconds=1");
        Assert.Empty(lines);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    /// <summary>Reads a watch to its end (server-side timeout) as JSON lines.</summary>
    [Fact]
    public async Task Watch_answers_its_headers_at_once_before_any_event()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var http = new HttpClient { BaseAddress = fixture.Cluster.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var headersDue = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=60", HttpCompletionOption.ResponseHeadersRead, headersDue.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "first" } }, ns);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(headersDue.Token));
        var line = JsonNode.Parse((await reader.ReadLineAsync(headersDue.Token))!)!;
        Assert.Equal("ADDED first", $"{(string?)line["type"]} {(string?)line["object"]!["metadata"]!["name"]}");
    }

    public static async Task<List<JsonObject>> RawWatch(ClusterFixture fixture, string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };
        var body = await http.GetStringAsync(pathAndQuery);
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();
    }
}

/// <summary>410 Gone and relist, on a cluster that keeps only 5 events per kind.</summary>
public class WatchExpiryTests(ShortHistoryFixture fixture) : IClassFixture<ShortHistoryFixture>
{
    [Fact]
    public async Task Watch_from_before_the_history_window_is_410_Expired_and_a_relist_recovers()
    {
        var client = fixture.Client;
        var ns = await fixture.NewNamespaceAsync();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c0" } }, ns);
        for (var i = 1; i < 8; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"c{i}" } }, ns);
        }
        var expired = await WatchTests.RawWatch(fixture, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={first.Metadata.ResourceVersion}&timeoutSeconds=1");
        var error = Assert.Single(expired);
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int)error["object"]!["code"]!);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
        Assert.StartsWith("too old resource version", (string?)error["object"]!["message"]);

        // What an informer does next: relist, then watch from the list's resourceVersion.
        var relist = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.Equal(8, relist.Items.Count);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c8" } }, ns);
        var resumed = await WatchTests.RawWatch(fixture, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={relist.Metadata.ResourceVersion}&timeoutSeconds=1");
        Assert.Equal("c8", (string?)Assert.Single(resumed)["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task KubernetesClient_watch_surfaces_the_410()
    {
        var client = fixture.Client;
        var ns = await fixture.NewNamespaceAsync();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c0" } }, ns);
        for (var i = 1; i < 8; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"c{i}" } }, ns);
        }
        var errors = new List<Exception>();
        var events = 0;
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: first.Metadata.ResourceVersion, timeoutSeconds: 2, onError: errors.Add))
        {
            events++;
        }
        Assert.Equal(0, events);
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
    }
}
