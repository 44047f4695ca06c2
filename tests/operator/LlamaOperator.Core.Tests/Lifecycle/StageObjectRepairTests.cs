using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>A running stage's Service, ConfigMap and PodGroup are kept as rendered: edits are repaired, deletions re-created.</summary>
public class StageObjectRepairTests
{
    private static T Copy<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    /// <summary>Replaces the stage's observed objects with edited copies (resourceVersion 7, as the API server would have them).</summary>
    private static void Edit(LifecycleScenario s, Action<V1ConfigMap> configMap, Action<V1Service> service, Action<PodGroup> podGroup)
    {
        var i = s.Objects.FindIndex(o => o.Stage == "pretrain");
        var (c, v, g) = (Copy(s.Objects[i].ConfigMap!), Copy(s.Objects[i].Service!), Copy(s.Objects[i].PodGroup!));
        foreach (var o in new IMetadata<V1ObjectMeta>[] { c, v, g })
        {
            o.Metadata.ResourceVersion = "7";
        }

        configMap(c);
        service(v);
        podGroup(g);
        s.Objects[i] = s.Objects[i] with { ConfigMap = c, Service = v, PodGroup = g };
    }

    [Fact]
    public void Edited_fields_the_operator_renders_are_put_back_and_everything_else_is_kept()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        var rendered = s.Objects.Single(o => o.Stage == "pretrain");
        Edit(
            s,
            c =>
            {
                c.Data[TrainerPodTemplate.JobConfigFile] = "{}";
                c.Data["notes"] = "mine";
                c.Metadata.Labels.Remove(TrainerLabels.Stage);
                c.Metadata.Annotations = new Dictionary<string, string> { ["team"] = "research" };
            },
            v => v.Spec.Selector[TrainerLabels.Stage] = "other",
            g =>
            {
                g.Spec.MinMember = 1;
                g.Spec.Queue ??= "default"; // the scheduler's default for what the job leaves unset
                g.Spec.ScheduleTimeoutSeconds ??= 60;
            });
        var defaulted = s.Objects.Single(o => o.Stage == "pretrain").PodGroup!.Spec;

        var decision = s.Step();

        var repairs = decision.Actions.Cast<RepairStageObject>().ToList();
        Assert.Equal(3, repairs.Count);
        Assert.All(repairs, r => Assert.Equal(("pretrain", "7"), (r.Stage, r.Object.Metadata.ResourceVersion)));
        var configMap = repairs.Select(r => r.Object).OfType<V1ConfigMap>().Single();
        Assert.Equal(rendered.ConfigMap!.Data[TrainerPodTemplate.JobConfigFile], configMap.Data[TrainerPodTemplate.JobConfigFile]);
        Assert.Equal("mine", configMap.Data["notes"]);
        Assert.Equal("pretrain", configMap.Metadata.Labels[TrainerLabels.Stage]);
        Assert.Equal("research", configMap.Metadata.Annotations["team"]);
        Assert.Equal("pretrain", repairs.Select(r => r.Object).OfType<V1Service>().Single().Spec.Selector[TrainerLabels.Stage]);
        var group = repairs.Select(r => r.Object).OfType<PodGroup>().Single();
        Assert.Equal(2, group.Spec.MinMember);
        Assert.Equal((defaulted.Queue, defaulted.ScheduleTimeoutSeconds), (group.Spec.Queue, group.Spec.ScheduleTimeoutSeconds));
        Assert.Equal(JobPhase.Running, s.Status.Phase); // the gang itself is left alone
        s.AssertStable();
    }

    [Fact]
    public void Defaults_the_api_server_adds_are_no_drift()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();

        Edit(
            s,
            _ => { },
            v =>
            {
                v.Spec.Type = "ClusterIP";
                v.Spec.SessionAffinity = "None";
                v.Spec.Ports[0].Protocol = "TCP";
            },
            g =>
            {
                g.Metadata.Labels["added-by"] = "someone";
                g.Spec.Queue ??= "default"; // Volcano's webhook defaults the queue of a job that names none
                g.Spec.ScheduleTimeoutSeconds ??= 60;
            });

        s.AssertStable();
    }

    [Fact]
    public void A_deleted_service_of_a_running_gang_is_created_again_and_no_pod_is()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        var rendered = s.Objects.Single(o => o.Stage == "pretrain").Service!;
        var i = s.Objects.FindIndex(o => o.Stage == "pretrain");
        s.Objects[i] = s.Objects[i] with { Service = null };

        var decision = s.Step();

        var repair = Assert.IsType<RepairStageObject>(Assert.Single(decision.Actions));
        var service = Assert.IsType<V1Service>(repair.Object);
        Assert.Null(service.Metadata.ResourceVersion); // a create
        Assert.Equal(KubernetesJson.Serialize(rendered), KubernetesJson.Serialize(service));
        Assert.Equal(JobPhase.Running, s.Status.Phase);
        s.AssertStable();
    }
}
