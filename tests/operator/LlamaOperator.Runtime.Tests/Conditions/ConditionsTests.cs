using k8s.Models;
using static LlamaOperator.Runtime.Conditions.Conditions;

namespace LlamaOperator.Runtime.Tests.Conditions;

public class ConditionsTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T1 = T0.AddMinutes(5);

    [Fact]
    public void Adds_a_new_condition_with_transition_time_and_generation()
    {
        var conditions = new List<V1Condition>();

        Assert.True(Set(conditions, "Ready", False, "PodsPending", "0/4 pods running", 3, T0));

        var ready = Assert.Single(conditions);
        Assert.Equal(("Ready", "False", "PodsPending", "0/4 pods running", 3L, T0), (ready.Type, ready.Status, ready.Reason, ready.Message, ready.ObservedGeneration!.Value, ready.LastTransitionTime));
    }

    [Fact]
    public void Same_status_keeps_the_transition_time_but_takes_the_new_reason_message_and_generation()
    {
        var conditions = new List<V1Condition>();
        Set(conditions, "Ready", False, "PodsPending", "0/4 pods running", 3, T0);

        Assert.True(Set(conditions, "Ready", False, "PodsStarting", "2/4 pods running", 4, T1));

        var ready = Assert.Single(conditions);
        Assert.Equal(T0, ready.LastTransitionTime);
        Assert.Equal(("PodsStarting", "2/4 pods running", 4L), (ready.Reason, ready.Message, ready.ObservedGeneration!.Value));
    }

    [Fact]
    public void A_status_change_moves_the_transition_time()
    {
        var conditions = new List<V1Condition>();
        Set(conditions, "Ready", False, "PodsPending", "", 1, T0);

        Set(conditions, "Ready", True, "AllPodsRunning", "", 1, T1);

        Assert.Equal(T1, conditions[0].LastTransitionTime);
        Assert.True(IsTrue(conditions, "Ready"));
        Assert.False(IsFalse(conditions, "Ready"));
    }

    [Fact]
    public void Setting_the_identical_condition_reports_no_change()
    {
        var conditions = new List<V1Condition>();
        Set(conditions, "Ready", True, "AllPodsRunning", "ok", 1, T0);

        Assert.False(Set(conditions, "Ready", True, "AllPodsRunning", "ok", 1, T1));
        Assert.Equal(T0, conditions[0].LastTransitionTime);
    }

    [Fact]
    public void Conditions_of_other_types_are_independent_and_can_be_removed()
    {
        var conditions = new List<V1Condition>();
        Set(conditions, "Ready", True, "AllPodsRunning", "", 1, T0);
        Set(conditions, "Progressing", True, "Training", "", 1, T0);

        Assert.Equal(2, conditions.Count);
        Assert.True(Remove(conditions, "Progressing"));
        Assert.False(Remove(conditions, "Progressing"));
        Assert.Null(Find(conditions, "Progressing"));
        Assert.NotNull(Find(conditions, "Ready"));
    }

    [Theory]
    [InlineData("", "True", "Reason", "type")]
    [InlineData("Ready", "yes", "Reason", "status")]
    [InlineData("Ready", "True", "", "reason")]
    [InlineData("Ready", "True", "has spaces", "reason")]
    public void Invalid_conditions_are_rejected_naming_the_field(string type, string status, string reason, string field)
    {
        var error = Assert.Throws<ArgumentException>(() => Set([], type, status, reason, "", null, T0));
        Assert.Equal(field, error.ParamName);
    }
}
