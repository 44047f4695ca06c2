using k8s;
using LlamaOperator.Runtime.Informers;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Informers;

public sealed class InformerTests : IAsyncDisposable
{
    private readonly ScriptedListerWatcher _server = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Informer<k8s.Models.V1ConfigMap> _informer;
    private readonly RecordingHandler _handler = new();
    private Task? _run;

    public InformerTests()
    {
        _informer = new Informer<k8s.Models.V1ConfigMap>("configmaps", _server, new InformerOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(5),
            MinWatchDuration = TimeSpan.Zero,
        });
        _informer.AddEventHandler(_handler);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task Lists_into_the_cache_becomes_synced_then_applies_watch_events_from_the_list_version()
    {
        _server.AnswerList("10", ConfigMap("a", "5"), ConfigMap("b", "7"));
        Start();

        var watch = await _server.NextWatchAsync();
        Assert.True(_informer.HasSynced);
        Assert.Equal("10", watch.ResourceVersion);
        Assert.Equal(2, _informer.Cache.Count);

        watch.Send(WatchEventType.Added, ConfigMap("c", "11"));
        watch.Send(WatchEventType.Modified, ConfigMap("a", "12"));
        watch.Send(WatchEventType.Deleted, ConfigMap("b", "13"));

        Assert.Equal(
            ["add a@5", "add b@7", "add c@11", "update a@5->12", "delete b"],
            await _handler.WaitForAsync(5));
        Assert.Equal("12", _informer.Cache.Get("default", "a")!.Metadata.ResourceVersion);
        Assert.Null(_informer.Cache.Get("default", "b"));
        Assert.Equal("13", _informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task A_watch_closed_by_the_server_resumes_from_the_last_version_seen_without_relisting()
    {
        _server.AnswerList("10");
        Start();
        var first = await _server.NextWatchAsync();
        first.Send(WatchEventType.Added, ConfigMap("a", "11"));
        first.Send(WatchEventType.Bookmark, new k8s.Models.V1ConfigMap { Metadata = new() { ResourceVersion = "20" } });
        first.Close();

        var second = await _server.NextWatchAsync();

        Assert.Equal("20", second.ResourceVersion);
        Assert.Equal(1, _server.ListCalls);
        Assert.Equal(["add a@11"], await _handler.WaitForAsync(1));
    }

    [Fact]
    public async Task Gone_relists_and_turns_the_differences_into_add_update_and_delete_events()
    {
        _server.AnswerList("10", ConfigMap("keep", "1"), ConfigMap("change", "2"), ConfigMap("vanish", "3"));
        Start();
        var watch = await _server.NextWatchAsync();

        _server.AnswerList("50", ConfigMap("keep", "1"), ConfigMap("change", "40"), ConfigMap("new", "45"));
        watch.Fail(new ResourceVersionExpiredException());
        var next = await _server.NextWatchAsync();

        Assert.Equal("50", next.ResourceVersion);
        Assert.Equal(2, _server.ListCalls);
        var events = await _handler.WaitForAsync(7);
        Assert.Equal(["update keep@1->1", "update change@2->40", "add new@45", "delete vanish"], events[3..]);
        Assert.Equal(["change", "keep", "new"], _informer.Cache.List().Select(o => o.Metadata.Name).Order());
    }

    [Fact]
    public async Task Failed_lists_and_watches_are_retried_with_a_relist()
    {
        _server.FailList(new HttpRequestException("connection refused"));
        _server.AnswerList("10", ConfigMap("a", "1"));
        Start();
        var watch = await _server.NextWatchAsync();
        Assert.True(_informer.HasSynced);

        _server.AnswerList("30", ConfigMap("a", "1"));
        watch.Fail(new IOException("stream reset"));
        var next = await _server.NextWatchAsync();

        Assert.Equal("30", next.ResourceVersion);
        Assert.Equal(3, _server.ListCalls);
    }

    [Fact]
    public async Task Not_synced_until_the_first_list_succeeds()
    {
        _server.FailList(new HttpRequestException("forbidden"));
        Start();

        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _informer.WaitForSyncAsync(shortWait.Token));
        Assert.False(_informer.HasSynced);

        _server.AnswerList("1");
        await _informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_handler_added_after_sync_first_sees_every_cached_object_as_added()
    {
        _server.AnswerList("10", ConfigMap("a", "1"), ConfigMap("b", "2"));
        Start();
        await _server.NextWatchAsync();

        var late = new RecordingHandler();
        _informer.AddEventHandler(late);

        Assert.Equal(["add a@1", "add b@2"], (await late.WaitForAsync(2)).Order());
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_informer()
    {
        _informer.AddEventHandler(new ThrowingHandler());
        _server.AnswerList("10", ConfigMap("a", "1"));
        Start();
        var watch = await _server.NextWatchAsync();
        watch.Send(WatchEventType.Added, ConfigMap("b", "11"));

        Assert.Equal(["add a@1", "add b@11"], await _handler.WaitForAsync(2));
    }

    [Fact]
    public async Task Runs_only_once()
    {
        _server.AnswerList("1");
        Start();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _informer.RunAsync(CancellationToken.None));
    }

    private void Start() => _run = _informer.RunAsync(_stop.Token);

    private sealed class ThrowingHandler : IResourceEventHandler<k8s.Models.V1ConfigMap>
    {
        public void OnAdd(k8s.Models.V1ConfigMap obj) => throw new InvalidOperationException("boom");

        public void OnUpdate(k8s.Models.V1ConfigMap oldObj, k8s.Models.V1ConfigMap newObj) => throw new InvalidOperationException("boom");

        public void OnDelete(k8s.Models.V1ConfigMap obj) => throw new InvalidOperationException("boom");
    }
}
