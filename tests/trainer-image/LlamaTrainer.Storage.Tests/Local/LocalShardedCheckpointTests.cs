using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Checkpoints;

namespace LlamaTrainer.Storage.Tests.Local;

public sealed class LocalShardedCheckpointTests : ShardedCheckpointBehaviour, IDisposable
{
    private readonly TempFolder _temp = new();
    private int _stores;

    protected override IObjectStore NewStore() => new LocalFolderStore(Path.Combine(_temp.Path, $"store{_stores++}"));

    public void Dispose() => _temp.Dispose();
}
