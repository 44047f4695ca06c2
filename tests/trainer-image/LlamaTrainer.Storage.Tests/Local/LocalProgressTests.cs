using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Progress;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Local;

public sealed class LocalProgressTests : ProgressBehaviour, IDisposable
{
    private readonly TempFolder _temp = new();
    private int _stores;

    protected override IObjectStore NewStore() => new LocalFolderStore(Path.Combine(_temp.Path, $"store{_stores++}"));

    public void Dispose() => _temp.Dispose();
}
