using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests;

/// <summary>The contract every <see cref="IObjectStore"/> backend must meet; each backend's test class runs all of it.</summary>
public abstract class ObjectStoreBehaviour
{
    /// <summary>A new, empty store.</summary>
    protected abstract IObjectStore NewStore();

    [Fact]
    public async Task Put_then_read_returns_the_bytes_and_exists_reports_it()
    {
        var store = NewStore();
        var bytes = StoreContent.RandomBytes(1000, seed: 1);

        Assert.False(await store.ExistsAsync("a/b.bin"));
        await store.PutBytesAsync("a/b.bin", bytes);

        Assert.True(await store.ExistsAsync("a/b.bin"));
        Assert.Equal(bytes, await store.GetBytesAsync("a/b.bin"));
    }

    [Fact]
    public async Task Put_overwrites_an_existing_object()
    {
        var store = NewStore();
        await store.PutBytesAsync("x.json", [1, 2, 3]);
        await store.PutBytesAsync("x.json", [9]);

        Assert.Equal([9], await store.GetBytesAsync("x.json"));
    }

    [Fact]
    public async Task An_object_larger_than_one_upload_block_round_trips()
    {
        var store = NewStore();
        var bytes = StoreContent.RandomBytes((17 << 20) + 3, seed: 2);
        using (var nonSeekable = new BufferedStream(new MemoryStream(bytes)))
        {
            await store.PutAsync("big/model.bin", nonSeekable);
        }

        Assert.Equal(bytes, await store.GetBytesAsync("big/model.bin"));
        Assert.Equal(bytes.Length, Assert.Single(await store.ListAllAsync("big/")).Size);
    }

    [Fact]
    public async Task Opening_a_missing_object_throws_ObjectNotFound_naming_the_key()
    {
        var store = NewStore();

        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync("nope/missing.bin"));
        Assert.Equal("nope/missing.bin", e.Key);
        Assert.Contains(store.Location, e.Message);
    }

    [Fact]
    public async Task List_returns_keys_under_a_prefix_in_ordinal_order_with_sizes()
    {
        var store = NewStore();
        await store.PutBytesAsync("ck/step-2/b.bin", new byte[2]);
        await store.PutBytesAsync("ck/step-1/a.bin", new byte[1]);
        await store.PutBytesAsync("ck/step-10/c.bin", new byte[3]);
        await store.PutBytesAsync("ck-other/d.bin", new byte[4]);
        await store.PutBytesAsync("heartbeat.json", new byte[5]);

        var underCk = await store.ListAllAsync("ck/");
        Assert.Equal(
            [new ObjectInfo("ck/step-1/a.bin", 1), new ObjectInfo("ck/step-10/c.bin", 3), new ObjectInfo("ck/step-2/b.bin", 2)],
            underCk);
        Assert.Equal(["ck/step-1/a.bin", "ck/step-10/c.bin"], (await store.ListAllAsync("ck/step-1")).Select(o => o.Key));
        Assert.Equal(5, (await store.ListAllAsync("")).Count);
        Assert.Empty(await store.ListAllAsync("none/"));
    }

    [Fact]
    public async Task Delete_removes_an_object_and_a_missing_one_is_not_an_error()
    {
        var store = NewStore();
        await store.PutBytesAsync("f/a.bin", [1]);

        await store.DeleteAsync("f/a.bin");
        await store.DeleteAsync("f/a.bin");
        await store.DeleteAsync("never/was.bin");

        Assert.False(await store.ExistsAsync("f/a.bin"));
        Assert.Empty(await store.ListAllAsync(""));
    }

    [Fact]
    public async Task A_ranged_read_returns_exactly_the_range_and_less_where_the_object_ends()
    {
        var store = NewStore();
        var bytes = StoreContent.RandomBytes((17 << 20) + 3, seed: 3);
        await store.PutBytesAsync("big.bin", bytes);

        Assert.Equal(bytes[(9 << 20)..((14 << 20) + 7)], await store.GetRangeAsync("big.bin", 9 << 20, (5 << 20) + 7));
        Assert.Equal(bytes[..1], await store.GetRangeAsync("big.bin", 0, 1));
        Assert.Equal(bytes[^3..], await store.GetRangeAsync("big.bin", bytes.Length - 3, 100));
        Assert.Empty(await store.GetRangeAsync("big.bin", bytes.Length, 10));
        Assert.Empty(await store.GetRangeAsync("big.bin", bytes.Length + 5, 10));
        Assert.Empty(await store.GetRangeAsync("big.bin", 7, 0));
    }

    [Fact]
    public async Task A_ranged_read_of_a_missing_object_or_a_negative_range_fails_clearly()
    {
        var store = NewStore();
        await store.PutBytesAsync("a.bin", [1, 2, 3]);

        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync("b.bin", 0, 2));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync("b.bin", 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.OpenReadAsync("a.bin", -1, 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.OpenReadAsync("a.bin", 0, -2));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync("../a.bin", 0, 2));
    }

    [Fact]
    public async Task A_prefixed_view_reads_ranges_of_its_objects()
    {
        var store = NewStore();
        var final = new PrefixedStore(store, "final");
        await final.PutBytesAsync("m.bin", [1, 2, 3, 4, 5]);

        Assert.Equal([2, 3], await final.GetRangeAsync("m.bin", 1, 2));
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => final.OpenReadAsync("x.bin", 1, 2));
        Assert.Contains(final.Location, e.Message);
    }

    [Fact]
    public async Task A_fresh_store_is_empty_and_tolerates_reads_and_deletes()
    {
        var store = NewStore();

        Assert.Empty(await store.ListAllAsync(""));
        Assert.False(await store.ExistsAsync("a.bin"));
        await store.DeleteAsync("a.bin");
    }

    [Fact]
    public async Task A_put_whose_source_fails_leaves_the_previous_object_and_nothing_else()
    {
        var store = NewStore();
        await store.PutBytesAsync("m/model.bin", [7, 7]);

        await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync("m/model.bin", new FailingStream(3 << 20)));
        await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync("m/other.bin", new FailingStream(100)));

        Assert.Equal([7, 7], await store.GetBytesAsync("m/model.bin"));
        Assert.Equal(["m/model.bin"], (await store.ListAllAsync("")).Select(o => o.Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs/key")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("folder/")]
    [InlineData("a\\b")]
    [InlineData("a/.~put-x")]
    public async Task Invalid_keys_are_rejected_with_the_key_in_the_message(string key)
    {
        var store = NewStore();

        var put = await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream([1])));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key));
        Assert.Contains(key.Length == 0 ? "empty" : $"'{key}'", put.Message);
        Assert.Empty(await store.ListAllAsync(""));
    }

    [Fact]
    public async Task A_prefixed_view_reads_and_lists_relative_keys_of_the_same_objects()
    {
        var store = NewStore();
        var final = new PrefixedStore(store, "final");
        await final.PutBytesAsync("step-1/model.bin", [4]);
        await store.PutBytesAsync("finalist.bin", [5]);

        Assert.Equal([4], await store.GetBytesAsync("final/step-1/model.bin"));
        Assert.Equal([new ObjectInfo("step-1/model.bin", 1)], await final.ListAllAsync(""));
        Assert.Equal(store.Location.TrimEnd('/') + "/final", final.Location);
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => final.OpenReadAsync("x.bin"));
        Assert.Contains(final.Location, e.Message);
    }
}
