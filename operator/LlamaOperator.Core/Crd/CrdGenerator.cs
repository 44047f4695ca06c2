using System.ComponentModel;
using System.Reflection;
using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Crd;

/// <summary>The LlamaTrainingJob CustomResourceDefinition, generated from the API types.</summary>
public static class CrdGenerator
{
    public const string FileName = ApiGroup.Group + "_" + ApiGroup.Plural + ".yaml";

    public static V1CustomResourceDefinition Generate()
    {
        var schema = OpenApiSchemaBuilder.ForType(typeof(LlamaTrainingJob));
        schema.Description = typeof(LlamaTrainingJob).GetCustomAttribute<DescriptionAttribute>()?.Description;
        schema.Properties["apiVersion"].Description = "APIVersion of the object: llamaoperator.dev/v1alpha1.";
        schema.Properties["kind"].Description = "Kind of the object: LlamaTrainingJob.";
        schema.Properties["metadata"].Description = "Standard object metadata.";
        schema.Required = ["spec"];

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = $"{ApiGroup.Plural}.{ApiGroup.Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = ApiGroup.Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames
                {
                    Plural = ApiGroup.Plural,
                    Singular = ApiGroup.Singular,
                    Kind = ApiGroup.Kind,
                    ListKind = ApiGroup.Kind + "List",
                    ShortNames = [ApiGroup.ShortName],
                    Categories = ["llama"],
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = ApiGroup.Version,
                        Served = true,
                        Storage = true,
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        AdditionalPrinterColumns = PrinterColumns(),
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema },
                    },
                ],
            },
        };
    }

    /// <summary>The CRD as YAML; the same types always give the same bytes.</summary>
    public static string GenerateYaml() => KubernetesYaml.Serialize(Generate());

    private static List<V1CustomResourceColumnDefinition> PrinterColumns() =>
    [
        new() { Name = "Stage", Type = "string", JsonPath = ".status.stage.name", Description = "The stage now running." },
        new() { Name = "Phase", Type = "string", JsonPath = ".status.phase", Description = "The job's phase." },
        new() { Name = "Step", Type = "integer", JsonPath = ".status.progress.step", Description = "Optimizer steps done." },
        new() { Name = "Tokens", Type = "integer", JsonPath = ".status.progress.tokens", Description = "Tokens consumed." },
        new() { Name = "GPUs", Type = "integer", JsonPath = ".status.topology.worldSize", Description = "GPUs in the gang." },
        new() { Name = "Restarts", Type = "integer", JsonPath = ".status.restarts.total", Description = "Gang restarts." },
        new() { Name = "Age", Type = "date", JsonPath = ".metadata.creationTimestamp" },
    ];
}
