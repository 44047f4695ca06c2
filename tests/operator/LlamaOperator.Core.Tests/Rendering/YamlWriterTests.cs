using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Rendering;

public class YamlWriterTests
{
    private static string Yaml(object value)
    {
        var yaml = new StringBuilder();
        using var json = JsonDocument.Parse(KubernetesJson.Serialize(value));
        YamlWriter.Write(json.RootElement, yaml);
        return yaml.ToString();
    }

    [Fact]
    public void Strings_that_look_like_other_scalars_read_back_as_the_same_strings()
    {
        var data = new Dictionary<string, string>
        {
            ["bool"] = "true",
            ["yes"] = "on",
            ["number"] = "0123",
            ["float"] = "1e3",
            ["null"] = "null",
            ["tilde"] = "~",
            ["empty"] = "",
            ["colon"] = "a: b",
            ["dash"] = "- item",
            ["hash"] = "x #comment",
            ["quote"] = "say \"hi\"",
            ["leading space"] = " indented",
            ["multi-line"] = "{\n  \"a\": 1\n}",
            ["trailing newline"] = "line\n",
            ["unicode"] = "héllo ✓",
            ["path"] = "/etc/llamaop/job.json",
        };
        var map = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "t" }, Data = data };

        var read = KubernetesYaml.Deserialize<V1ConfigMap>(Yaml(map));

        Assert.All(data, e => Assert.Equal(e.Value, read.Data[e.Key]));
    }

    [Fact]
    public void Nested_lists_and_empty_collections_keep_their_shape()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = "p", Labels = new Dictionary<string, string>() },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Command = ["a", "--b"], Args = [] }] },
        };

        var yaml = Yaml(pod);
        var read = KubernetesYaml.Deserialize<V1Pod>(yaml);

        Assert.Equal(["a", "--b"], read.Spec.Containers[0].Command);
        Assert.Contains("labels: {}", yaml);
        Assert.Contains("args: []", yaml);
    }
}
