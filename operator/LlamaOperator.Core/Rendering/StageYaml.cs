using System.Text;
using System.Text.Json;
using k8s;

namespace LlamaOperator.Core.Rendering;

/// <summary>A rendered stage as multi-document YAML that `kubectl apply -f` accepts, in a stable order.</summary>
public static class StageYaml
{
    public static string Serialize(RenderedStage stage)
    {
        var yaml = new StringBuilder();
        foreach (var item in stage.Objects())
        {
            // KubernetesJson knows the Kubernetes wire format (quantities, int-or-string, omitted nulls).
            using var json = JsonDocument.Parse(KubernetesJson.Serialize(item));
            yaml.Append("---\n");
            YamlWriter.Write(json.RootElement, yaml);
        }

        return yaml.ToString();
    }
}
