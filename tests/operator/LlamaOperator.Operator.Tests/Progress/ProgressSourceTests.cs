using k8s;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Operator.Progress;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.Caching;
using Microsoft.Extensions.Time.Testing;

namespace LlamaOperator.Operator.Tests.Progress;

/// <summary>Progress reads are cached per job for the refresh interval, unless a decision needs a fresh one.</summary>
public sealed class ProgressSourceTests : IDisposable
{
    private static readonly ObjectKey Key = new("research", "tiny");
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly Kubernetes _unused = new(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }); // local storage reads no Secret

    public void Dispose()
    {
        _unused.Dispose();
        _folder.Dispose();
    }

    private ResolvedJob Job() => JobResolver.Resolve(TestJobs.ThreeStages("research", _folder.Path));

    [Fact]
    public async Task A_read_within_the_refresh_interval_is_served_from_the_cache_unless_fresh_is_asked()
    {
        var source = new ProgressSource(_unused, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), _time, Serilog.Core.Logger.None);
        var trainer = new TrainerOutput(_folder.Path);
        await trainer.HeartbeatAsync("pretrain", 0, step: 1, tokensPerSecond: 100);
        Assert.Equal(1, (await source.ReadAsync(Key, Job(), fresh: false, default)).Progress.Heartbeat!.Step);

        await trainer.HeartbeatAsync("pretrain", 0, step: 2, tokensPerSecond: 100);

        Assert.Equal(1, (await source.ReadAsync(Key, Job(), fresh: false, default)).Progress.Heartbeat!.Step);
        Assert.Equal(2, (await source.ReadAsync(Key, Job(), fresh: true, default)).Progress.Heartbeat!.Step);
        await trainer.HeartbeatAsync("pretrain", 0, step: 3, tokensPerSecond: 100);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(3, (await source.ReadAsync(Key, Job(), fresh: false, default)).Progress.Heartbeat!.Step);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_last_good_progress_and_reports_the_error_once()
    {
        var source = new ProgressSource(_unused, TimeSpan.Zero, TimeSpan.FromSeconds(5), _time, Serilog.Core.Logger.None);
        await new TrainerOutput(_folder.Path).HeartbeatAsync("pretrain", 0, step: 7, tokensPerSecond: 100);
        await source.ReadAsync(Key, Job(), fresh: false, default);
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "heartbeat.json"), "{ not json");

        var first = await source.ReadAsync(Key, Job(), fresh: false, default);
        var second = await source.ReadAsync(Key, Job(), fresh: false, default);

        Assert.Equal(7, first.Progress.Heartbeat!.Step);
        Assert.Contains(_folder.Path, first.Error);
        Assert.True(first.NewError);
        Assert.Equal(first.Error, second.Error);
        Assert.False(second.NewError);
    }
}
