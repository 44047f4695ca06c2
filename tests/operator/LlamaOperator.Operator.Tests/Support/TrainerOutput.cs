using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Progress;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>Writes what a trainer would to the job's local checkpoint store: heartbeats, committed checkpoints, the final model.</summary>
internal sealed class TrainerOutput(string folder)
{
    private readonly LocalFolderStore _store = new(folder);

    public Task<CheckpointManifest> CommitAsync(string stage, int stageIndex, long step, bool stageEnd = false, int? lengthIndex = null, CheckpointEvals? evals = null, string root = CheckpointStore.CheckpointsFolder) =>
        new CheckpointStore(_store, root).CommitAsync(
            new CheckpointManifest
            {
                Stage = stage,
                StageIndex = stageIndex,
                LengthIndex = lengthIndex,
                Step = step,
                Tokens = step * 2048,
                StageTokens = step * 2048,
                SequenceLength = 256,
                StageEnd = stageEnd,
                Metrics = new TrainingMetrics(2.5, 3e-4, 1.2e6),
                Evals = evals,
            },
            [new CheckpointShard("model.bin", (stream, ct) => stream.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask())]);

    public Task HeartbeatAsync(string stage, int stageIndex, long step, double tokensPerSecond, double loss = 2.5, TrainerState state = TrainerState.Running) =>
        new HeartbeatStore(_store).WriteAsync(new Heartbeat
        {
            Step = step,
            Tokens = step * 2048,
            Stage = stage,
            StageIndex = stageIndex,
            SequenceLength = 256,
            Loss = loss,
            TokensPerSecond = tokensPerSecond,
            Time = DateTime.UtcNow,
            State = state,
        });
}
