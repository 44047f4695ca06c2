namespace LlamaOperator.Chart.Tests;

/// <summary>The chart ships the repository's generated CRDs byte for byte (Helm installs charts/llama-operator/crds/ as they are).</summary>
public class CrdCopyTests
{
    [Fact]
    public void The_charts_crds_folder_is_identical_to_the_repositorys()
    {
        var repo = Path.Combine(HelmCli.RepoRootPath, "crds");
        var chart = Path.Combine(HelmCli.ChartPath, "crds");
        var repoFiles = Directory.GetFiles(repo).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(repoFiles);
        Assert.Equal(repoFiles, Directory.GetFiles(chart).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var file in repoFiles)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(repo, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(chart, file!))),
                $"charts/llama-operator/crds/{file} differs from crds/{file}; copy it: cp crds/*.yaml charts/llama-operator/crds/");
        }
    }

    [Fact]
    public async Task The_rendered_crd_is_the_repositorys_crd()
    {
        var rendered = RenderedChart.Parse(await HelmCli.TemplateAsync());
        var crd = rendered.Single<k8s.Models.V1CustomResourceDefinition>();
        var repo = k8s.KubernetesYaml.Deserialize<k8s.Models.V1CustomResourceDefinition>(
            await File.ReadAllTextAsync(Path.Combine(HelmCli.RepoRootPath, "crds", "llamaoperator.dev_llamatrainingjobs.yaml")), strict: true);
        Assert.Equal(CanonicalJson.Of(repo), CanonicalJson.Of(crd));
    }
}
