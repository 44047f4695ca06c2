using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A running stage's ConfigMap, Service and PodGroup are kept as the operator rendered them.</summary>
public sealed class StageObjectRepairTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task An_edited_configmap_and_podgroup_and_a_deleted_service_are_put_back_while_the_gang_runs_on()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();
        var (client, ns) = (scenario.Client, scenario.Namespace);
        var gang = (await scenario.PodsAsync()).Select(p => p.Metadata.Uid).ToList();
        var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync("tiny-pretrain-job", ns);
        var manifest = configMap.Data[TrainerPodTemplate.JobConfigFile];

        configMap.Data[TrainerPodTemplate.JobConfigFile] = "{}";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, ns);
        await client.CoreV1.DeleteNamespacedServiceAsync("tiny-pretrain", ns);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"minMember\":1}}", V1Patch.PatchType.MergePatch), "scheduling.x-k8s.io", "v1alpha1", ns, "podgroups", "tiny-pretrain");

        await Eventually.HoldsAsync(async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("tiny-pretrain-job", ns)).Data[TrainerPodTemplate.JobConfigFile] == manifest, "the ConfigMap's manifest back");
        await Eventually.HoldsAsync(
            async () => (await client.CoreV1.ListNamespacedServiceAsync(ns)).Items.SingleOrDefault(s => s.Metadata.Name == "tiny-pretrain")?.Spec.Selector[TrainerLabels.Stage] == "pretrain",
            "the Service back");
        await Eventually.HoldsAsync(
            async () => (await client.CustomObjects.GetNamespacedCustomObjectAsync<PodGroup>("scheduling.x-k8s.io", "v1alpha1", ns, "podgroups", "tiny-pretrain")).Spec.MinMember == 2,
            "the PodGroup's minMember back");
        Assert.Equal(gang, (await scenario.PodsAsync()).Select(p => p.Metadata.Uid)); // the gang was not touched
        Assert.Equal(JobPhase.Running, (await scenario.JobAsync()).Status!.Phase);
    }
}
