using k8s.Models;
using LlamaOperator.Core.Crd;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Core.Tests.Crd;

public class CrdGeneratorTests
{
    private static readonly V1CustomResourceDefinition Crd = CrdGenerator.Generate();

    private static V1JSONSchemaProps Root => Crd.Spec.Versions[0].Schema.OpenAPIV3Schema;

    private static V1JSONSchemaProps Spec => Root.Properties["spec"];

    private static V1JSONSchemaProps Stage => (V1JSONSchemaProps)Spec.Properties["stages"].Items;

    [Fact]
    public void Checked_in_crd_matches_the_api_types()
    {
        var path = Path.Combine(RepoRoot.Find(), "crds", CrdGenerator.FileName);
        var checkedIn = File.Exists(path) ? File.ReadAllText(path) : "(missing)";
        Assert.True(
            checkedIn == CrdGenerator.GenerateYaml(),
            $"{path} is out of date with the API types: run `llamaop crds` (dotnet run --project operator/LlamaOperator.Cli -- crds) and commit the result.");
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        Assert.Equal(CrdGenerator.GenerateYaml(), CrdGenerator.GenerateYaml());
    }

    [Fact]
    public void Names_scope_and_version()
    {
        Assert.Equal("llamatrainingjobs.llamaoperator.dev", Crd.Metadata.Name);
        Assert.Equal("Namespaced", Crd.Spec.Scope);
        Assert.Equal(["ltj"], Crd.Spec.Names.ShortNames);
        Assert.Equal(["llama"], Crd.Spec.Names.Categories);
        Assert.Equal("llamatrainingjob", Crd.Spec.Names.Singular);
        var version = Assert.Single(Crd.Spec.Versions);
        Assert.Equal(("v1alpha1", true, true), (version.Name, version.Served, version.Storage));
        Assert.NotNull(version.Subresources.Status);
    }

    [Fact]
    public void Printer_columns_show_stage_progress_and_gpus()
    {
        var columns = Crd.Spec.Versions[0].AdditionalPrinterColumns.Select(c => $"{c.Name}={c.JsonPath}:{c.Type}");
        Assert.Equal(
            [
                "Stage=.status.stage.name:string", "Phase=.status.phase:string", "Step=.status.progress.step:integer",
                "Tokens=.status.progress.tokens:integer", "GPUs=.status.topology.worldSize:integer",
                "Restarts=.status.restarts.total:integer", "Age=.metadata.creationTimestamp:date",
            ],
            columns);
    }

    [Fact]
    public void Schema_is_structural()
    {
        var missing = new List<string>();
        Walk(Root, "", missing);
        Assert.Empty(missing);
    }

    private static void Walk(V1JSONSchemaProps node, string path, List<string> missing)
    {
        if (node.XKubernetesIntOrString == true || node.XKubernetesPreserveUnknownFields == true)
        {
            return;
        }

        if (string.IsNullOrEmpty(node.Type))
        {
            missing.Add(path);
        }

        foreach (var (name, child) in node.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            Walk(child, $"{path}.{name}", missing);
        }

        if (node.Items is V1JSONSchemaProps items)
        {
            Walk(items, path + "[]", missing);
        }

        if (node.AdditionalProperties is V1JSONSchemaProps values)
        {
            Walk(values, path + "{}", missing);
        }
    }

    [Fact]
    public void Markers_become_openapi_keywords()
    {
        var tp = Stage.Properties["parallelism"].Properties["tp"];
        Assert.Equal(("integer", "int32", 1.0, (object)1L), (tp.Type, tp.Format, tp.Minimum, tp.DefaultProperty));
        Assert.Equal(("integer", "int64"), (Stage.Properties["tokens"].Type, Stage.Properties["tokens"].Format));
        Assert.Equal(["Pretrain", "LongContext", "Anneal"], Stage.Properties["type"].EnumProperty);
        Assert.Equal(1, Spec.Properties["stages"].MinItems);
        Assert.Equal("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", Stage.Properties["name"].Pattern);
        Assert.Equal(1.0, Stage.Properties["optimizer"].Properties["beta1"].Maximum);
        Assert.Equal("number", Stage.Properties["optimizer"].Properties["beta1"].Type);
        Assert.Contains("tokens", Stage.Required);
        Assert.Equal(["spec"], Root.Required);
        Assert.Equal(["model", "data", "cluster", "checkpoint", "stages"], Spec.Required);
    }

    [Fact]
    public void Descriptions_come_from_the_types()
    {
        Assert.StartsWith("LlamaTrainingJob runs a Llama 3 style pretraining recipe", Root.Description);
        Assert.StartsWith("Expected GPU count of the stage", Stage.Properties["parallelism"].Properties["gpus"].Description);
    }

    [Fact]
    public void Kubernetes_types_maps_and_metadata()
    {
        Assert.Equal("object", Root.Properties["metadata"].Type);
        Assert.Null(Root.Properties["metadata"].Properties);

        var cluster = Spec.Properties["cluster"];
        var requests = (V1JSONSchemaProps)cluster.Properties["resources"].Properties["requests"].AdditionalProperties;
        Assert.True(requests.XKubernetesIntOrString);

        var toleration = (V1JSONSchemaProps)cluster.Properties["scheduling"].Properties["tolerations"].Items;
        Assert.Equal(["effect", "key", "operator", "tolerationSeconds", "value"], toleration.Properties.Keys);
        Assert.Equal("int64", toleration.Properties["tolerationSeconds"].Format);

        var nodeSelector = cluster.Properties["scheduling"].Properties["nodeSelector"];
        Assert.Equal(("object", "string"), (nodeSelector.Type, ((V1JSONSchemaProps)nodeSelector.AdditionalProperties).Type));

        var env = (V1JSONSchemaProps)cluster.Properties["env"].Items;
        Assert.Equal("string", env.Properties["valueFrom"].Properties["secretKeyRef"].Properties["key"].Type);
    }

    [Fact]
    public void Computed_properties_are_not_in_the_schema()
    {
        Assert.DoesNotContain("worldSize", Stage.Properties["parallelism"].Properties.Keys);
    }
}
