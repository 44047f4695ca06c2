using k8s.Models;
using LlamaOperator.Runtime.Caching;
using static LlamaOperator.Runtime.Tests.Objects;

namespace LlamaOperator.Runtime.Tests.Caching;

public class CacheTests
{
    [Fact]
    public void Gets_and_lists_by_namespace_and_name()
    {
        var cache = new Cache<V1ConfigMap>();
        cache.Upsert(ConfigMap("a", "1", "ns1"));
        cache.Upsert(ConfigMap("b", "1", "ns1"));
        cache.Upsert(ConfigMap("a", "1", "ns2"));
        cache.Upsert(ConfigMap("cluster-wide", "1", null));

        Assert.Equal("ns2", cache.Get("ns2", "a")!.Metadata.NamespaceProperty);
        Assert.NotNull(cache.Get(ObjectKey.Parse("cluster-wide")));
        Assert.Null(cache.Get("ns3", "a"));
        Assert.Equal(["a", "b"], cache.List("ns1").Select(o => o.Metadata.Name).Order());
        Assert.Equal(4, cache.List().Count);
    }

    [Fact]
    public void Upsert_returns_the_replaced_object_and_reindexes_it()
    {
        var cache = new Cache<V1ConfigMap>();
        cache.AddIndex("app", Indexers.ByLabel("app"));
        Assert.Null(cache.Upsert(ConfigMap("a", "1", labels: new Dictionary<string, string> { ["app"] = "x" })));

        var old = cache.Upsert(ConfigMap("a", "2", labels: new Dictionary<string, string> { ["app"] = "y" }));

        Assert.Equal("1", old!.Metadata.ResourceVersion);
        Assert.Empty(cache.ByIndex("app", "x"));
        Assert.Equal("2", Assert.Single(cache.ByIndex("app", "y")).Metadata.ResourceVersion);
    }

    [Fact]
    public void Secondary_indexes_find_objects_by_owner_and_label_and_forget_removed_ones()
    {
        var cache = new Cache<V1ConfigMap>();
        cache.Upsert(ConfigMap("p0", "1", owners: [Owner("LlamaTrainingJob", "job1")]));
        cache.AddIndex("owner", Indexers.ByOwnerUid); // built over existing objects too
        cache.AddIndex("controller", Indexers.ByControllerUid);
        cache.Upsert(ConfigMap("p1", "1", owners: [Owner("LlamaTrainingJob", "job1"), Owner("Other", "x", controller: false)]));
        cache.Upsert(ConfigMap("p2", "1", owners: [Owner("LlamaTrainingJob", "job2")]));

        Assert.Equal(["p0", "p1"], cache.ByIndex("owner", "uid-job1").Select(o => o.Metadata.Name).Order());
        Assert.Equal("p1", Assert.Single(cache.ByIndex("owner", "uid-x")).Metadata.Name);
        Assert.Empty(cache.ByIndex("controller", "uid-x"));

        cache.Remove(new ObjectKey("default", "p1"));

        Assert.Equal("p0", Assert.Single(cache.ByIndex("owner", "uid-job1")).Metadata.Name);
        Assert.Empty(cache.ByIndex("owner", "uid-x"));
    }

    [Fact]
    public void Unknown_or_duplicate_index_names_are_clear_errors()
    {
        var cache = new Cache<V1ConfigMap>();

        var unknown = Assert.Throws<ArgumentException>(() => cache.ByIndex("nope", "v"));
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("namespace", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => cache.AddIndex(Indexers.NamespaceIndex, Indexers.ByNamespace));
    }

    [Theory]
    [InlineData("ns/name", "ns", "name")]
    [InlineData("name", null, "name")]
    public void Object_keys_round_trip(string text, string? ns, string name)
    {
        var key = ObjectKey.Parse(text);
        Assert.Equal(new ObjectKey(ns, name), key);
        Assert.Equal(text, key.ToString());
    }

    [Theory]
    [InlineData("a/b/c")]
    [InlineData("/name")]
    [InlineData("ns/")]
    public void Malformed_object_keys_are_rejected(string text)
    {
        var error = Assert.Throws<FormatException>(() => ObjectKey.Parse(text));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
