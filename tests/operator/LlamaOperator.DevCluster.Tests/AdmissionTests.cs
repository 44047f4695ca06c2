using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>Mutating admission (<see cref="DevClusterOptions.Admission"/>): widgets have their size doubled on every create and update.</summary>
public class AdmissionTests(DoublingFixture fixture) : IClassFixture<DoublingFixture>
{
    [Fact]
    public async Task Admission_changes_what_is_created_patched_and_stored_before_validation()
    {
        var ns = await fixture.NewNamespaceAsync();

        var created = await Widgets.CreateAsync(fixture.Client, ns, "w", 3);
        var patched = await Widgets.PatchAsync(fixture.Client, ns, "w", """{"spec":{"size":5}}""");

        Assert.Equal(6, (int?)created["spec"]!["size"]);
        Assert.Equal(10, (int?)patched["spec"]!["size"]);
        Assert.Equal(10, (int?)(await Widgets.GetAsync(fixture.Client, ns, "w"))["spec"]!["size"]);
    }
}

public sealed class DoublingFixture : ClusterFixture
{
    protected override DevClusterOptions Options => base.Options with
    {
        EnableKubelet = false,
        EnableScheduler = false,
        Admission = new Dictionary<string, Action<JsonObject>> { ["widgets.example.dev"] = Double },
    };

    private static void Double(JsonObject widget)
    {
        if (widget["spec"]?["size"] is JsonValue size && size.TryGetValue<int>(out var value))
        {
            widget["spec"]!["size"] = value * 2;
        }
    }
}
