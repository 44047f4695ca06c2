using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Local;

/// <summary>The store contract, ranged reads included, for a store that relies on the interface's default ranged read.</summary>
public sealed class UnrangedStoreTests : ObjectStoreBehaviour, IDisposable
{
    private readonly TempFolder _temp = new();
    private int _stores;

    protected override IObjectStore NewStore() => new UnrangedStore(new LocalFolderStore(Path.Combine(_temp.Path, $"store{_stores++}")));

    public void Dispose() => _temp.Dispose();
}
