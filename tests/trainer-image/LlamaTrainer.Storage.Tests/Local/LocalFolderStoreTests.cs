using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Local;

public sealed class LocalFolderStoreTests : ObjectStoreBehaviour, IDisposable
{
    private readonly TempFolder _temp = new();
    private int _stores;

    protected override IObjectStore NewStore() => new LocalFolderStore(Path.Combine(_temp.Path, $"store{_stores++}"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Keys_are_files_under_the_root_and_the_location_is_a_file_uri()
    {
        var root = Path.Combine(_temp.Path, "root");
        var store = new LocalFolderStore(root);

        await store.PutBytesAsync("checkpoints/step-0000000001/model.bin", [1, 2]);

        Assert.Equal([1, 2], await File.ReadAllBytesAsync(Path.Combine(root, "checkpoints", "step-0000000001", "model.bin")));
        Assert.Equal(new Uri(root).AbsoluteUri, store.Location);
        Assert.StartsWith("file:///", store.Location);
    }

    [Fact]
    public async Task A_failed_put_leaves_no_temp_file_and_deletes_prune_empty_folders()
    {
        var root = Path.Combine(_temp.Path, "root");
        var store = new LocalFolderStore(root);

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync("a/b/c.bin", new FailingStream(10)));
        await store.PutBytesAsync("a/b/d.bin", [1]);
        await store.DeleteAsync("a/b/d.bin");

        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public async Task Files_of_an_in_flight_put_are_not_listed()
    {
        var root = Path.Combine(_temp.Path, "root");
        var store = new LocalFolderStore(root);
        Directory.CreateDirectory(Path.Combine(root, "a"));
        await File.WriteAllBytesAsync(Path.Combine(root, "a", ObjectKey.ReservedSegmentStart + "x.bin.123"), [1]);

        Assert.Empty(await store.ListAllAsync(""));
    }
}
