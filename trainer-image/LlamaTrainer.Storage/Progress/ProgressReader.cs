using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Progress;

/// <summary>
/// The operator's view of a job's store: heartbeat plus newest committed checkpoint and final model, in one call.
/// Reads manifests only (no shard verification), so polling stays cheap.
/// </summary>
public sealed class ProgressReader
{
    private readonly HeartbeatStore _heartbeat;
    private readonly CheckpointStore _checkpoints;
    private readonly CheckpointStore _final;

    /// <param name="jobStore">The job's store root (heartbeat.json, checkpoints/, final/).</param>
    public ProgressReader(IObjectStore jobStore, Serilog.ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(jobStore);
        _heartbeat = new HeartbeatStore(jobStore);
        _checkpoints = new CheckpointStore(jobStore, CheckpointStore.CheckpointsFolder, logger);
        _final = new CheckpointStore(jobStore, CheckpointStore.FinalFolder, logger);
    }

    public async Task<TrainingProgress> ReadAsync(CancellationToken cancellationToken = default)
    {
        var heartbeat = _heartbeat.ReadAsync(cancellationToken);
        var latest = _checkpoints.NewestCommittedAsync(cancellationToken);
        var final = _final.NewestCommittedAsync(cancellationToken);
        await Task.WhenAll(heartbeat, latest, final);
        return new TrainingProgress(
            await heartbeat,
            await latest,
            (await latest) is { } l ? _checkpoints.LocationOf(l.Id) : null,
            await final,
            (await final) is { } f ? _final.LocationOf(f.Id) : null);
    }
}
