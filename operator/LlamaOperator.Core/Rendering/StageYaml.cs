using System.Text;
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
            yaml.Append("---\n").Append(KubernetesYaml.Serialize(item));
            if (yaml[^1] != '\n')
            {
                yaml.Append('\n');
            }
        }

        return yaml.ToString();
    }
}
