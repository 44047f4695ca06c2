namespace LlamaOperator.Chart.Tests;

/// <summary>The chart rendered once per test class: with default values and with TestData/full-values.yaml.</summary>
public sealed class ChartRenders : IAsyncLifetime
{
    public string DefaultYaml { get; private set; } = "";
    public RenderedChart Default { get; private set; } = null!;
    public RenderedChart Full { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DefaultYaml = await HelmCli.TemplateAsync();
        Default = RenderedChart.Parse(DefaultYaml);
        Full = RenderedChart.Parse(await HelmCli.TemplateAsync("--values", HelmCli.FullValuesPath));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
