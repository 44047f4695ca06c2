using LlamaTrainer.Collectives;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Training;

/// <summary>A single process's checkpoints in a temporary folder store, written and read as the trainer does.</summary>
internal sealed class FolderCheckpoints : IDisposable
{
    private readonly TempFolder _folder = new();

    public FolderCheckpoints()
    {
        Objects = new LocalFolderStore(_folder.Path);
        Store = new CheckpointStore(Objects);
        Checkpoint = new TrainerCheckpoint(Store, new SoloCommunicator(), Logger.None);
        Writer = new StoreCheckpointWriter(Checkpoint, keep: 100);
    }

    public string Path => _folder.Path;

    public LocalFolderStore Objects { get; }

    public CheckpointStore Store { get; }

    public TrainerCheckpoint Checkpoint { get; }

    public StoreCheckpointWriter Writer { get; }

    /// <summary>(step, stage end) of every committed checkpoint, oldest first.</summary>
    public async Task<IReadOnlyList<(long Step, bool StageEnd)>> SavedAsync() =>
        [.. (await Store.ListCommittedAsync()).Reverse().Select(m => (m.Step, m.StageEnd))];

    public void Dispose() => _folder.Dispose();
}
